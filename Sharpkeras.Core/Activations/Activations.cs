using Sharpkeras.Registry;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// Keras's activation functions (<c>keras.activations</c>): each is a static method taking Keras's arguments
/// (<c>Activations.Relu(x, negativeSlope: 0.1, maxValue: 6)</c>), and each is also reachable by its string alias with
/// Keras's defaults (<c>Activations.Get("relu")</c>, <c>activation: "relu"</c> on layers).
/// </summary>
public static class Activations
{
    /// <summary>The registry behind <see cref="Get(string?)"/>; register your own with <c>Activations.Registry.Register</c>.</summary>
    public static AliasRegistry<Func<Tensor, Tensor>> Registry { get; } = CreateRegistry();

    /// <summary>Every alias <see cref="Get(string?)"/> accepts, sorted.</summary>
    public static IReadOnlyList<string> Aliases => Registry.Aliases;

    private static AliasRegistry<Func<Tensor, Tensor>> CreateRegistry()
    {
        var r = new AliasRegistry<Func<Tensor, Tensor>>("activation");
        r.Register(() => Linear, "linear");
        r.Register(() => ReluDefault, "relu");
        r.Register(() => Sigmoid, "sigmoid");
        r.Register(() => Tanh, "tanh");
        r.Register(() => x => Softmax(x), "softmax");
        r.Register(() => x => LogSoftmax(x), "log_softmax");
        r.Register(() => x => LeakyRelu(x), "leaky_relu");
        r.Register(() => x => Elu(x), "elu");
        r.Register(() => Selu, "selu");
        r.Register(() => x => Gelu(x), "gelu");
        r.Register(() => Silu, "silu", "swish");
        r.Register(() => Softplus, "softplus");
        r.Register(() => Softsign, "softsign");
        r.Register(() => HardSigmoid, "hard_sigmoid");
        r.Register(() => HardSilu, "hard_silu", "hard_swish");
        r.Register(() => Exponential, "exponential");
        r.Register(() => Relu6, "relu6");
        r.Register(() => Mish, "mish");
        r.Register(() => x => Celu(x), "celu");
        r.Register(() => x => Glu(x), "glu");
        r.Register(() => TanhShrink, "tanh_shrink");
        r.Register(() => HardTanh, "hard_tanh");
        r.Register(() => x => HardShrink(x), "hard_shrink");
        r.Register(() => x => SoftShrink(x), "soft_shrink");
        r.Register(() => LogSigmoid, "log_sigmoid");
        r.Register(() => SparseSigmoid, "sparse_sigmoid");
        r.Register(() => SparsePlus, "sparse_plus");
        r.Register(() => x => Squareplus(x), "squareplus");
        r.Register(() => x => Sparsemax(x), "sparsemax");
        return r;
    }

    /// <summary>Returns the function for an alias, with Keras's default arguments (null, "" or "linear": identity).</summary>
    /// <param name="name">The alias.</param>
    public static Func<Tensor, Tensor> Get(string? name) => string.IsNullOrEmpty(name) ? Linear : Registry.Get(name, nameof(name));

    /// <summary>
    /// The in-place form of <paramref name="activation"/> when it is the built-in tanh, sigmoid or relu — elementwise
    /// activations whose gradient reads only their result, so overwriting their input is safe for autograd — else
    /// null. A layer uses it on a tensor its own call just made and nothing else reads (a convolution's or a matrix
    /// product's output): no second activation-sized tensor is allocated and kept until the step ends. An alias
    /// registered again by the user resolves to the user's function, which has no in-place form.
    /// </summary>
    /// <param name="activation">A function from <see cref="Get"/>.</param>
    public static Func<Tensor, Tensor>? InPlace(Func<Tensor, Tensor> activation) =>
        (activation ?? throw new ArgumentNullException(nameof(activation))).Method == TanhMethod ? x => x.tanh_()
        : activation.Method == SigmoidMethod ? x => x.sigmoid_()
        : activation.Method == ReluMethod ? x => x.relu_()
        : null;

    private static readonly System.Reflection.MethodInfo TanhMethod = ((Func<Tensor, Tensor>)Tanh).Method;
    private static readonly System.Reflection.MethodInfo SigmoidMethod = ((Func<Tensor, Tensor>)Sigmoid).Method;
    private static readonly System.Reflection.MethodInfo ReluMethod = ((Func<Tensor, Tensor>)ReluDefault).Method;

    private static Tensor ReluDefault(Tensor x) => Relu(x);

    /// <summary>Checks an alias, returning it (null stays null).</summary>
    /// <param name="name">The alias.</param>
    /// <param name="argument">The argument name reported in the exception.</param>
    public static string? Validate(string? name, string argument = "activation")
    {
        if (name is null) return null;
        if (!Registry.Contains(name)) throw Registry.UnknownAlias(name, argument);
        return name;
    }

    private static Tensor Check(Tensor x) => x ?? throw new ArgumentNullException(nameof(x));

    /// <summary>Identity.</summary>
    /// <param name="x">Input.</param>
    public static Tensor Linear(Tensor x) => Check(x);

    /// <summary>
    /// Keras's relu: x where x &gt; threshold (else 0, or <paramref name="negativeSlope"/>·(x − threshold)), capped at <paramref name="maxValue"/>.
    /// </summary>
    /// <param name="x">Input.</param>
    /// <param name="negativeSlope">Slope below the threshold (default 0).</param>
    /// <param name="maxValue">Upper cap, or null.</param>
    /// <param name="threshold">Values at or below it are damped (default 0).</param>
    public static Tensor Relu(Tensor x, double negativeSlope = 0.0, double? maxValue = null, double threshold = 0.0)
    {
        Check(x);
        if (!(negativeSlope >= 0) || !double.IsFinite(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "negativeSlope must be finite and >= 0.");
        if (maxValue is double mv && !(mv >= 0))
            throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "maxValue must be >= 0.");
        if (!double.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be finite.");
        if (negativeSlope == 0 && maxValue is null && threshold == 0) return nn.functional.relu(x);
        if (negativeSlope != 0 && maxValue is null && threshold == 0) return nn.functional.leaky_relu(x, negativeSlope);
        Tensor? negativePart = negativeSlope != 0 ? nn.functional.relu(threshold - x) : null;
        var y = threshold != 0 ? torch.where(x.gt(threshold), x, torch.zeros_like(x)) : nn.functional.relu(x);
        if (maxValue is double m) y = y.clamp(0.0, m);
        if (negativePart is not null) y = y - negativeSlope * negativePart;
        return y;
    }

    /// <summary>x for x ≥ 0, <paramref name="negativeSlope"/>·x otherwise (Keras default slope 0.2).</summary>
    /// <param name="x">Input.</param><param name="negativeSlope">Slope for negative inputs.</param>
    public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.2) => nn.functional.leaky_relu(Check(x), negativeSlope);

    /// <summary>min(max(x, 0), 6).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Relu6(Tensor x) => nn.functional.relu6(Check(x));

    /// <summary>exp(x − max) / Σ exp along <paramref name="axis"/>.</summary>
    /// <param name="x">Input.</param><param name="axis">The axis normalised over.</param>
    public static Tensor Softmax(Tensor x, int axis = -1) => Check(x).softmax(axis);

    /// <summary>log(softmax(x)) along <paramref name="axis"/>.</summary>
    /// <param name="x">Input.</param><param name="axis">The axis normalised over.</param>
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => Check(x).log_softmax(axis);

    /// <summary>x for x &gt; 0, α·(exp(x) − 1) otherwise.</summary>
    /// <param name="x">Input.</param><param name="alpha">α (default 1).</param>
    public static Tensor Elu(Tensor x, double alpha = 1.0) => nn.functional.elu(Check(x), alpha);

    /// <summary>Scaled ELU with λ ≈ 1.0507 and α ≈ 1.6733.</summary>
    /// <param name="x">Input.</param>
    public static Tensor Selu(Tensor x) => nn.functional.selu(Check(x));

    /// <summary>log(1 + exp(x)).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Softplus(Tensor x) => nn.functional.softplus(Check(x));

    /// <summary>x / (|x| + 1).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Softsign(Tensor x) => nn.functional.softsign(Check(x));

    /// <summary>x − <paramref name="threshold"/> above it, x + threshold below −threshold, 0 between.</summary>
    /// <param name="x">Input.</param><param name="threshold">The threshold (default 0.5).</param>
    public static Tensor SoftShrink(Tensor x, double threshold = 0.5)
    {
        Check(x);
        var z = torch.zeros_like(x);
        return torch.where(x.gt(threshold), x - threshold, torch.where(x.lt(-threshold), x + threshold, z));
    }

    /// <summary>0 for x ≤ −1, (x + 1)²/4 for −1 &lt; x &lt; 1, x for x ≥ 1.</summary>
    /// <param name="x">Input.</param>
    public static Tensor SparsePlus(Tensor x)
    {
        Check(x);
        return torch.where(x.le(-1), torch.zeros_like(x), torch.where(x.ge(1), x, (x + 1).square() / 4));
    }

    /// <summary>x·sigmoid(x) (also "swish").</summary>
    /// <param name="x">Input.</param>
    public static Tensor Silu(Tensor x) => nn.functional.silu(Check(x));

    /// <summary>(x + sqrt(x² + b)) / 2.</summary>
    /// <param name="x">Input.</param><param name="b">b ≥ 0 (default 4).</param>
    public static Tensor Squareplus(Tensor x, double b = 4)
    {
        if (!(b >= 0)) throw new ArgumentOutOfRangeException(nameof(b), b, "b must be >= 0.");
        return (Check(x) + (x.square() + b).sqrt()) / 2;
    }

    /// <summary>x·Φ(x); with <paramref name="approximate"/> 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    /// <param name="x">Input.</param><param name="approximate">Use the tanh approximation (Keras default false).</param>
    public static Tensor Gelu(Tensor x, bool approximate = false)
    {
        Check(x);
        if (!approximate) return nn.functional.gelu(x);
        return 0.5 * x * (1.0 + (Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());
    }

    /// <summary>max(0, x) + min(0, α·(exp(x/α) − 1)).</summary>
    /// <param name="x">Input.</param><param name="alpha">α &gt; 0 (default 1).</param>
    public static Tensor Celu(Tensor x, double alpha = 1.0)
    {
        if (!(alpha > 0) || !double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be finite and > 0.");
        Check(x);
        return nn.functional.relu(x) + (alpha * ((x / alpha).exp() - 1)).clamp_max(0);
    }

    /// <summary>Gated linear unit: splits <paramref name="axis"/> into halves a, b and returns a·sigmoid(b).</summary>
    /// <param name="x">Input; the axis length must be even.</param><param name="axis">The split axis.</param>
    public static Tensor Glu(Tensor x, int axis = -1)
    {
        Check(x);
        long a = axis < 0 ? axis + x.dim() : axis;
        if (a < 0 || a >= x.dim()) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis {axis} is out of range for an input of rank {x.dim()}.");
        if (x.shape[a] % 2 != 0)
            throw new ArgumentException($"glu: axis {axis} must have an even length; got {x.shape[a]}.", nameof(x));
        long half = x.shape[a] / 2;
        return x.narrow(a, 0, half) * x.narrow(a, half, half).sigmoid();
    }

    /// <summary>tanh(x).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Tanh(Tensor x) => Check(x).tanh();

    /// <summary>x − tanh(x).</summary>
    /// <param name="x">Input.</param>
    public static Tensor TanhShrink(Tensor x) => Check(x) - x.tanh();

    /// <summary>clip(x, −1, 1).</summary>
    /// <param name="x">Input.</param>
    public static Tensor HardTanh(Tensor x) => Check(x).clamp(-1.0, 1.0);

    /// <summary>x where |x| &gt; <paramref name="threshold"/>, 0 elsewhere.</summary>
    /// <param name="x">Input.</param><param name="threshold">The threshold (default 0.5).</param>
    public static Tensor HardShrink(Tensor x, double threshold = 0.5) => torch.where(Check(x).abs().gt(threshold), x, torch.zeros_like(x));

    /// <summary>x where x &gt; <paramref name="threshold"/>, <paramref name="defaultValue"/> elsewhere.</summary>
    /// <param name="x">Input.</param><param name="threshold">The threshold.</param><param name="defaultValue">The value below it.</param>
    public static Tensor Threshold(Tensor x, double threshold, double defaultValue) =>
        torch.where(Check(x).gt(threshold), x, torch.full_like(x, defaultValue));

    /// <summary>1 / (1 + exp(−x)).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Sigmoid(Tensor x) => Check(x).sigmoid();

    /// <summary>exp(x).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Exponential(Tensor x) => Check(x).exp();

    /// <summary>relu6(x + 3) / 6.</summary>
    /// <param name="x">Input.</param>
    public static Tensor HardSigmoid(Tensor x) => nn.functional.relu6(Check(x) + 3.0) / 6.0;

    /// <summary>log(sigmoid(x)) = −softplus(−x).</summary>
    /// <param name="x">Input.</param>
    public static Tensor LogSigmoid(Tensor x) => -nn.functional.softplus(-Check(x));

    /// <summary>0 for x ≤ −1, (x + 1)/2 between, 1 for x ≥ 1.</summary>
    /// <param name="x">Input.</param>
    public static Tensor SparseSigmoid(Tensor x) => ((Check(x) + 1.0) / 2.0).clamp(0.0, 1.0);

    /// <summary>x·hard_sigmoid(x) (also "hard_swish").</summary>
    /// <param name="x">Input.</param>
    public static Tensor HardSilu(Tensor x) => Check(x) * HardSigmoid(x);

    /// <summary>x·tanh(softplus(x)).</summary>
    /// <param name="x">Input.</param>
    public static Tensor Mish(Tensor x) => Check(x) * nn.functional.softplus(x).tanh();

    /// <summary>
    /// Sparsemax (Martins &amp; Astudillo 2016): the Euclidean projection of x onto the probability simplex along <paramref name="axis"/>:
    /// max(x − τ, 0) with τ chosen so the outputs sum to 1.
    /// </summary>
    /// <param name="x">Input.</param><param name="axis">The axis normalised over.</param>
    public static Tensor Sparsemax(Tensor x, int axis = -1)
    {
        Check(x);
        long a = axis < 0 ? axis + x.dim() : axis;
        if (a < 0 || a >= x.dim()) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis {axis} is out of range for an input of rank {x.dim()}.");
        var z = x.movedim([a], [-1L]);
        long n = z.shape[^1];
        var sorted = z.sort(-1, descending: true).Values;
        var cumsum = sorted.cumsum(-1);
        var k = torch.arange(1, n + 1, dtype: z.dtype, device: z.device);
        var support = (1 + k * sorted).gt(cumsum).to(z.dtype);
        var kz = support.sum([-1L], keepdim: true);
        var tau = ((sorted * support).sum([-1L], keepdim: true) - 1) / kz;
        return (z - tau).clamp_min(0).movedim([-1L], [a]);
    }
}
