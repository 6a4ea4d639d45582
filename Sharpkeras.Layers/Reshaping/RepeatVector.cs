using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Repeats a (batch, features) input <c>n</c> times along a new axis 1, giving (batch, n, features)
/// (Keras's <c>RepeatVector</c>). Integer and bool inputs keep their type.
/// </summary>
public sealed class RepeatVector : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="n">The repetition factor (&gt; 0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RepeatVector(int n, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"RepeatVector: n must be a positive integer; got {n}.");
        N = n;
        AcceptsIntegerInput = true;
    }

    /// <summary>The repetition factor.</summary>
    public int N { get; }

    private const string Layout = "(batch, features)";

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 2, Layout);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => ReshapingArgs.CheckRank(this, inputs[0].shape, 2, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return inputs.unsqueeze(1).repeat(1, N, 1);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 2, Layout);
        return [inputShape[0], N, inputShape[1]];
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["n"] = N;
        return c;
    }
}
