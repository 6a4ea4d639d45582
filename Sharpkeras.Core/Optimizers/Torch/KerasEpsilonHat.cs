using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Makes torch's Adam/AdamW use Keras's "epsilon hat". Keras updates <c>w -= lr·√(1-β₂ᵗ)/(1-β₁ᵗ)·m/(√v + ε)</c>;
/// torch updates <c>w -= lr/(1-β₁ᵗ)·m/(√v/√(1-β₂ᵗ) + ε')</c>. Both are equal when <c>ε' = ε/√(1-β₂ᵗ)</c>, so before
/// each step the torch epsilon is set to that value (host arithmetic only; t is torch's own step counter).
/// </summary>
internal static class KerasEpsilonHat
{
    public static void Apply(torch.optim.Optimizer? optimizer, double epsilon, double beta2)
    {
        switch (optimizer)
        {
            case TorchSharp.Modules.Adam adam:
            {
                long t = NextStep(adam.state_dict().State.OfType<TorchSharp.Modules.Adam.State>().Select(s => s.step));
                double eps = Scaled(epsilon, beta2, t);
                foreach (var g in adam.ParamGroups) ((TorchSharp.Modules.Adam.Options)((ParamGroup)g).Options).eps = eps;
                break;
            }
            case TorchSharp.Modules.AdamW adamw:
            {
                long t = NextStep(adamw.state_dict().State.OfType<TorchSharp.Modules.AdamW.State>().Select(s => s.step));
                double eps = Scaled(epsilon, beta2, t);
                foreach (var g in adamw.ParamGroups) ((TorchSharp.Modules.AdamW.Options)((ParamGroup)g).Options).eps = eps;
                break;
            }
        }
    }

    private static long NextStep(IEnumerable<long> steps) => steps.DefaultIfEmpty(0L).Max() + 1;

    /// <summary>ε / √(1 - β₂ᵗ).</summary>
    public static double Scaled(double epsilon, double beta2, long t) => epsilon / Math.Sqrt(1.0 - Math.Pow(beta2, t));
}
