using NUnit.Framework;
using Sharpkeras.Optimizers;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Optimizers.Torch;

/// <summary>
/// The elementwise Keras rules run over flat windows (SGD, RMSprop, Adagrad, Lion): 40,000 weights (two windows, one
/// weight cut into pieces) and a bias, three steps, against each rule worked in float64 from Keras's definition.
/// </summary>
public class KerasTorchOptimizerWindowTests
{
    /// <summary>One Keras rule in float64: updates the slots and returns the new weight.</summary>
    private delegate double Rule(double w, double g, double[] slots);

    private static readonly (string Name, Func<Optimizer> Make, int Slots, double Initial, Rule Rule)[] Cases =
    [
        ("sgd nesterov", () => new SGD(learningRate: 0.01, momentum: 0.9, nesterov: true), 1, 0, (w, g, s) =>
        {
            s[0] = 0.9 * s[0] - 0.01 * g;
            return w + 0.9 * s[0] - 0.01 * g;
        }),
        ("rmsprop centered momentum", () => new RMSprop(learningRate: 0.001, rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: true), 3, 0, (w, g, s) =>
        {
            s[0] = 0.9 * s[0] + 0.1 * g * g;          // velocity
            s[2] = 0.9 * s[2] + 0.1 * g;              // average gradient
            double increment = 0.001 * g / Math.Sqrt(s[0] - s[2] * s[2] + 1e-7);
            s[1] = 0.5 * s[1] + increment;            // momentum
            return w - s[1];
        }),
        ("adagrad", () => new Adagrad(learningRate: 0.01, initialAccumulatorValue: 0.1, epsilon: 1e-7), 1, 0.1, (w, g, s) =>
        {
            s[0] += g * g;
            return w - 0.01 * g / Math.Sqrt(s[0] + 1e-7);
        }),
        ("lion", () => new Lion(learningRate: 0.001, beta1: 0.9, beta2: 0.99), 1, 0, (w, g, s) =>
        {
            double u = Math.Sign(0.9 * s[0] + 0.1 * g);
            s[0] = 0.99 * s[0] + 0.01 * g;
            return w - 0.001 * u;
        }),
    ];

    private static IEnumerable<TestCaseData> Names() => Cases.Select(c => new TestCaseData(c.Name));

    private static float[] Values(int n, int seed, float scale) =>
        Enumerable.Range(0, n).Select(i => (float)(scale * Math.Sin(0.37 * i + seed) * (1 + (i % 7)))).ToArray();

    [TestCaseSource(nameof(Names))]
    public void ThreeStepsMatchKerasFormula(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        const int n = 40_000;
        var w0 = Values(n, 1, 0.5f);
        var b0 = Values(n, 2, 0.1f);
        using var rig = new OptimizerTestRig(c.Make(), w0, b0);
        var w = w0.Select(x => (double)x).ToArray();
        var b = b0.Select(x => (double)x).ToArray();
        var ws = Enumerable.Range(0, n).Select(_ => Enumerable.Repeat(c.Initial, c.Slots).ToArray()).ToArray();
        var bs = Enumerable.Range(0, n).Select(_ => Enumerable.Repeat(c.Initial, c.Slots).ToArray()).ToArray();
        foreach (var (seed, scale) in new[] { (3, 1f), (4, 0.1f), (5, 0.01f) })
        {
            var gw = Values(n, seed, scale);
            var gb = Values(n, seed + 10, scale);
            rig.Step(gw, gb);
            for (int i = 0; i < n; i++)
            {
                w[i] = c.Rule(w[i], gw[i], ws[i]);
                b[i] = c.Rule(b[i], gb[i], bs[i]);
            }
        }
        var kernel = rig.Kernel;
        var bias = rig.Bias;
        // Float32 rounds the weight once per step (3 units in its last place) and computes each update to about 1e-6
        // of its size.
        double change = 0;
        for (int i = 0; i < n; i++) change = Math.Max(change, Math.Max(Math.Abs(w[i] - w0[i]), Math.Abs(b[i] - b0[i])));
        double Misfit(float actual, double expected)
        {
            float e = MathF.Abs((float)expected);
            return Math.Abs(actual - expected) / (3 * (MathF.BitIncrement(e) - e) + 1e-6 * change);
        }
        double worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Max(Misfit(kernel[i], w[i]), Misfit(bias[i], b[i])));
        Assert.That(worst, Is.LessThanOrEqualTo(1), $"{name}: largest difference from Keras's formula, relative to the float32 tolerance");
        Assert.That(kernel[n - 1], Is.Not.EqualTo(w0[n - 1]), "the last piece of the long weight moved");
    }

    [TestCaseSource(nameof(Names))]
    public void WeightWithoutGradientIsLeftAlone(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        using var rig = new OptimizerTestRig(c.Make(), [1f, 2f], [3f, 4f]);
        using (var scope = NewDisposeScope())
        {
            var k = rig.Variables[0].Value;
            (k * tensor(new[] { 0.5f, -0.5f }).reshape(k.shape)).sum().backward(); // the bias gets no gradient
            rig.Optimizer.Step();
        }
        Assert.That(rig.Bias, Is.EqualTo(new[] { 3f, 4f }));
        var s = new[] { Enumerable.Repeat(c.Initial, c.Slots).ToArray(), Enumerable.Repeat(c.Initial, c.Slots).ToArray() };
        Assert.That(rig.Kernel, Is.EqualTo(new[] { (float)c.Rule(1, 0.5, s[0]), (float)c.Rule(2, -0.5, s[1]) }).Within(1e-6));
    }
}
