using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Reshapes every sample to <c>targetShape</c>, keeping the batch axis (Keras's <c>Reshape</c>). One entry of
/// <c>targetShape</c> may be -1: it is inferred from the sample size. Input and output hold the same number of
/// values per sample. Integer and bool inputs keep their type.
/// </summary>
/// <example><c>new Reshape([3, 4]).Apply(x)</c> turns (None, 12) into (None, 3, 4); <c>new Reshape([-1, 2, 2])</c>
/// turns (None, 3, 4) into (None, 3, 2, 2).</example>
public sealed class Reshape : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="targetShape">The per-sample shape (batch excluded): non-negative sizes and at most one -1.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Reshape(int[] targetShape, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Any(d => d < -1) || targetShape.Count(d => d == -1) > 1)
            throw new ArgumentException(
                $"Reshape: every dimension of targetShape must be a non-negative integer, or -1 for a single unknown dimension; got ({string.Join(", ", targetShape)}).",
                nameof(targetShape));
        TargetShape = (int[])targetShape.Clone();
        AcceptsIntegerInput = true;
    }

    /// <summary>The per-sample target shape (batch excluded; may hold one -1).</summary>
    public int[] TargetShape { get; }

    /// <summary>Keras's compute_reshape_output_shape on the sample dims: the -1 resolved, or null when unknown.</summary>
    private int?[] Resolve(int?[] inputShape)
    {
        var sample = inputShape.Skip(1).ToArray();
        var r = new int?[TargetShape.Length + 1];
        r[0] = inputShape.Length > 0 ? inputShape[0] : null;
        if (sample.Any(d => d is null))
        {
            for (int i = 0; i < TargetShape.Length; i++) r[i + 1] = TargetShape[i] == -1 ? null : TargetShape[i];
            return r;
        }
        long size = sample.Aggregate(1L, (a, d) => a * d!.Value);
        long known = TargetShape.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
        int unknown = Array.IndexOf(TargetShape, -1);
        if (unknown < 0 ? size != known : known == 0 || size % known != 0)
            throw new ArgumentException(
                $"Layer '{Name}' (Reshape) cannot reshape input of shape {ShapeUtils.Format(inputShape)} ({size} values per sample) " +
                $"to targetShape ({string.Join(", ", TargetShape)}){(unknown < 0 ? $" ({known} values)" : $": {size} is not a multiple of {known}")}.");
        for (int i = 0; i < TargetShape.Length; i++) r[i + 1] = i == unknown ? (int)(size / known) : TargetShape[i];
        return r;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => _ = Resolve(inputShape);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => _ = Resolve(ReshapingArgs.Nullable(inputs[0].shape));

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return inputs.reshape([inputs.shape[0], .. TargetShape.Select(d => (long)d)]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => Resolve(inputShape);

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["target_shape"] = (int[])TargetShape.Clone();
        return c;
    }
}
