using Sharpkeras.Registry;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Initializers;

/// <summary>
/// Base class of weight initializers (Keras's <c>keras.initializers.Initializer</c>). Shapes are in
/// Keras's layout, so fan-in/fan-out follow Keras (Dense kernel (in, out); Conv kernel (…, in, out)).
/// </summary>
public abstract class Initializer
{
    /// <summary>Optional seed: the same seed gives the same values.</summary>
    public int? Seed { get; init; }

    /// <summary>Returns a new tensor of <paramref name="shape"/> (Keras layout).</summary>
    /// <param name="shape">The weight's shape in Keras layout (e.g. a Dense kernel as (inputDim, units), a Conv2D kernel as (kh, kw, in, out)); fans are computed from it.</param>
    /// <param name="dtype">The element type of the new tensor.</param>
    /// <param name="device">The device to create it on.</param>
    /// <returns>A new tensor the caller owns.</returns>
    public abstract Tensor Call(long[] shape, ScalarType dtype, Device device);

    /// <summary>A generator seeded from <see cref="Seed"/>, or null to use torch's global one.</summary>
    protected Generator? MakeGenerator() => Seed is int s ? new Generator((ulong)s, torch.CPU) : null;

    /// <summary>Keras's fan computation: (fan_in, fan_out).</summary>
    /// <param name="shape">A weight shape in Keras layout: a scalar gives (1, 1); (units) gives fan_in = fan_out = units; (in, out) a matrix's fans; larger ranks multiply the receptive field (all dimensions but the last two) into both fans.</param>
    /// <returns>(fan_in, fan_out).</returns>
    public static (double fanIn, double fanOut) ComputeFans(long[] shape)
    {
        if (shape.Length == 0) return (1, 1);
        if (shape.Length == 1) return (shape[0], shape[0]);
        if (shape.Length == 2) return (shape[0], shape[1]);
        double receptive = 1;
        for (int i = 0; i < shape.Length - 2; i++) receptive *= shape[i];
        return (shape[^2] * receptive, shape[^1] * receptive);
    }

    /// <summary>The arguments that rebuild this initializer.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["seed"] = Seed };

    /// <summary>The registry behind <see cref="Get"/> (lookups accept Keras's snake-case and class names).</summary>
    public static AliasRegistry<Initializer> Registry { get; } = CreateRegistry();

    /// <summary>The Keras aliases this resolver accepts, sorted.</summary>
    public static IReadOnlyList<string> Aliases => Registry.Aliases;

    private static AliasRegistry<Initializer> CreateRegistry()
    {
        var r = new AliasRegistry<Initializer>("initializer");
        r.Register(() => new GlorotUniform(), "glorot_uniform");
        r.Register(() => new GlorotNormal(), "glorot_normal");
        r.Register(() => new HeNormal(), "he_normal");
        r.Register(() => new HeUniform(), "he_uniform");
        r.Register(() => new LecunNormal(), "lecun_normal");
        r.Register(() => new LecunUniform(), "lecun_uniform");
        r.Register(() => new Orthogonal(), "orthogonal");
        r.Register(() => new Zeros(), "zeros", "zero");
        r.Register(() => new Ones(), "ones", "one");
        r.Register(() => new RandomNormal(), "random_normal");
        r.Register(() => new RandomUniform(), "random_uniform");
        r.Register(() => new TruncatedNormal(), "truncated_normal");
        r.Register(() => new Identity(), "identity");
        return r;
    }

    /// <summary>Resolves a Keras alias or an <see cref="Initializer"/>.</summary>
    /// <param name="identifier">An <see cref="Initializer"/> or an alias such as "glorot_uniform" (or "GlorotUniform").</param>
    public static Initializer Get(object identifier) => identifier switch
    {
        Initializer i => i,
        string s => Registry.TryGet(Engine.NameScope.ToSnakeCase(s), out var i) ? i : throw Registry.UnknownAlias(s, nameof(identifier)),
        null => throw new ArgumentNullException(nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret initializer '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };

    /// <summary>The Keras alias of this initializer's class, as written in configs ("glorot_uniform").</summary>
    public virtual string ClassName => Engine.NameScope.ToSnakeCase(GetType().Name);
}

/// <summary>All zeros.</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device) => torch.zeros(shape, dtype: dtype, device: device);
}

/// <summary>All ones.</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device) => torch.ones(shape, dtype: dtype, device: device);
}

/// <summary>A constant value.</summary>
/// <param name="value">The value of every element (Keras's default 0).</param>
public sealed class Constant(double value = 0.0) : Initializer
{
    /// <summary>The value.</summary>
    public double Value { get; } = value;

    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device) => torch.full(shape, Value, dtype: dtype, device: device);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["value"] = Value };
}

/// <summary>Identity matrix (2-D shapes only), times <c>gain</c>.</summary>
/// <param name="gain">Multiplier of the identity matrix (Keras's default 1).</param>
public sealed class Identity(double gain = 1.0) : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device)
    {
        if (shape.Length != 2) throw new ArgumentException($"Identity initializer needs a 2-D shape; got ({string.Join(", ", shape)}).", nameof(shape));
        return torch.eye(shape[0], shape[1], dtype: dtype, device: device).mul_(gain);
    }
}

/// <summary>Normal distribution (Keras defaults mean 0, stddev 0.05).</summary>
/// <param name="mean">The distribution's mean (Keras's default 0).</param>
/// <param name="stddev">The distribution's standard deviation (Keras's default 0.05).</param>
public sealed class RandomNormal(double mean = 0.0, double stddev = 0.05) : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device)
    {
        using var g = MakeGenerator();
        return torch.normal(mean, stddev, shape, dtype: dtype, generator: g).to(device);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["mean"] = mean, ["stddev"] = stddev, ["seed"] = Seed };
}

/// <summary>Uniform distribution (Keras defaults -0.05 to 0.05).</summary>
/// <param name="minval">Lower bound, inclusive (Keras's default -0.05).</param>
/// <param name="maxval">Upper bound, exclusive (Keras's default 0.05).</param>
public sealed class RandomUniform(double minval = -0.05, double maxval = 0.05) : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device)
    {
        using var g = MakeGenerator();
        return torch.rand(shape, dtype: dtype, generator: g).mul_(maxval - minval).add_(minval).to(device);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["minval"] = minval, ["maxval"] = maxval, ["seed"] = Seed };
}

/// <summary>Normal distribution truncated at two standard deviations (Keras defaults mean 0, stddev 0.05).</summary>
/// <param name="mean">The distribution's mean (Keras's default 0); values farther than two standard deviations from it are redrawn.</param>
/// <param name="stddev">The standard deviation before truncation (Keras's default 0.05).</param>
public sealed class TruncatedNormal(double mean = 0.0, double stddev = 0.05) : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device)
    {
        using var g = MakeGenerator();
        return VarianceScaling.Truncated(shape, mean, stddev, dtype, g).to(device);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["mean"] = mean, ["stddev"] = stddev, ["seed"] = Seed };
}

/// <summary>
/// Keras's VarianceScaling: n = fan_in, fan_out or their average; truncated normal with
/// stddev sqrt(scale/n)/0.87962566103423978, untruncated normal with stddev sqrt(scale/n), or
/// uniform in ±sqrt(3·scale/n).
/// </summary>
/// <param name="scale">The variance's scale factor (&gt; 0, default 1).</param>
/// <param name="mode">"fan_in" (default), "fan_out" or "fan_avg": which fan n divides the scale.</param>
/// <param name="distribution">"truncated_normal" (default), "untruncated_normal" (alias "normal") or "uniform".</param>
/// <exception cref="System.ArgumentOutOfRangeException"><paramref name="scale"/> is not positive.</exception>
/// <exception cref="System.ArgumentException"><paramref name="mode"/> or <paramref name="distribution"/> is not one of the names above.</exception>
public class VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal") : Initializer
{
    /// <summary>The scale.</summary>
    public double Scale { get; } = scale > 0 ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be > 0.");

    /// <summary>"fan_in", "fan_out" or "fan_avg".</summary>
    public string Mode { get; } = mode is "fan_in" or "fan_out" or "fan_avg" ? mode
        : throw new ArgumentException($"mode must be fan_in, fan_out or fan_avg; got '{mode}'.", nameof(mode));

    /// <summary>"truncated_normal", "untruncated_normal" or "uniform".</summary>
    public string Distribution { get; } = distribution is "truncated_normal" or "untruncated_normal" or "uniform" or "normal" ? distribution
        : throw new ArgumentException($"distribution must be truncated_normal, untruncated_normal or uniform; got '{distribution}'.", nameof(distribution));

    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device)
    {
        var (fanIn, fanOut) = ComputeFans(shape);
        double n = Mode switch { "fan_in" => fanIn, "fan_out" => fanOut, _ => (fanIn + fanOut) / 2.0 };
        double s = Scale / Math.Max(1.0, n);
        using var g = MakeGenerator();
        Tensor t;
        if (Distribution is "truncated_normal" or "normal")
            t = Truncated(shape, 0, Math.Sqrt(s) / 0.87962566103423978, dtype, g);
        else if (Distribution == "untruncated_normal")
            t = torch.normal(0, Math.Sqrt(s), shape, dtype: dtype, generator: g);
        else
        {
            double limit = Math.Sqrt(3.0 * s);
            t = torch.rand(shape, dtype: dtype, generator: g).mul_(2 * limit).sub_(limit);
        }
        return t.to(device);
    }

    internal static Tensor Truncated(long[] shape, double mean, double stddev, ScalarType dtype, Generator? g)
    {
        // Inverse-CDF sampling of a normal truncated to [mean - 2σ, mean + 2σ].
        double lo = NormCdf(-2), hi = NormCdf(2);
        var u = torch.rand(shape, dtype: ScalarType.Float64, generator: g).mul_(hi - lo).add_(lo);
        var z = torch.special.ndtri(u);
        return z.mul_(stddev).add_(mean).to(dtype);
    }

    private static double NormCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    private static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.26 is too coarse; use a series good to double precision for |x| <= 3.
        double sum = x, term = x, x2 = x * x;
        for (int n = 1; n < 200; n++)
        {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    { ["scale"] = Scale, ["mode"] = Mode, ["distribution"] = Distribution, ["seed"] = Seed };
}

/// <summary>Glorot (Xavier) uniform: limit sqrt(6 / (fan_in + fan_out)). Keras's default kernel initializer.</summary>
public sealed class GlorotUniform() : VarianceScaling(1.0, "fan_avg", "uniform");

/// <summary>Glorot normal: truncated normal, stddev sqrt(2 / (fan_in + fan_out)).</summary>
public sealed class GlorotNormal() : VarianceScaling(1.0, "fan_avg", "truncated_normal");

/// <summary>He normal: truncated normal, stddev sqrt(2 / fan_in).</summary>
public sealed class HeNormal() : VarianceScaling(2.0, "fan_in", "truncated_normal");

/// <summary>He uniform: limit sqrt(6 / fan_in).</summary>
public sealed class HeUniform() : VarianceScaling(2.0, "fan_in", "uniform");

/// <summary>LeCun normal: truncated normal, stddev sqrt(1 / fan_in).</summary>
public sealed class LecunNormal() : VarianceScaling(1.0, "fan_in", "truncated_normal");

/// <summary>LeCun uniform: limit sqrt(3 / fan_in).</summary>
public sealed class LecunUniform() : VarianceScaling(1.0, "fan_in", "uniform");

/// <summary>
/// Orthogonal matrix (Keras's default recurrent kernel initializer): QR of a normal matrix,
/// signs fixed by the diagonal of R, times <c>gain</c>.
/// </summary>
/// <param name="gain">Multiplier of the orthogonal matrix (Keras's default 1).</param>
public sealed class Orthogonal(double gain = 1.0) : Initializer
{
    /// <inheritdoc />
    public override Tensor Call(long[] shape, ScalarType dtype, Device device)
    {
        if (shape.Length < 2) throw new ArgumentException($"Orthogonal initializer needs at least 2 dimensions; got ({string.Join(", ", shape)}).", nameof(shape));
        long rows = 1;
        for (int i = 0; i < shape.Length - 1; i++) rows *= shape[i];
        long cols = shape[^1];
        using var g = MakeGenerator();
        var a = torch.normal(0, 1, [Math.Max(rows, cols), Math.Min(rows, cols)], dtype: ScalarType.Float64, generator: g);
        var (q, r) = torch.linalg.qr(a);
        var d = r.diagonal().sign();
        q = q * d.unsqueeze(0);
        if (rows < cols) q = q.t();
        return q.mul(gain).reshape(shape).to(dtype).to(device).contiguous();
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["gain"] = gain, ["seed"] = Seed };
}
