using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersAttention;

/// <summary>Test helper: marks time steps whose features are all zero as padding (what Keras's Masking(0.0) does).</summary>
internal sealed class ZeroMaskingTestLayer : Layer
{
    public ZeroMaskingTestLayer() : base() { SupportsMasking = true; }

    protected override bool ProducesMask => true;

    public override Tensor Call(Tensor inputs, bool training) => inputs;

    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => inputs.ne(0).any(-1);

    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;
}

/// <summary>Test helper: element-wise sum of its inputs (the residual connection of a Transformer block).</summary>
internal sealed class AddTestLayer : Layer
{
    public override Tensor Call(Tensor[] inputs, bool training) => inputs.Skip(1).Aggregate(inputs[0], (a, b) => a + b);

    public override void Build(int?[][] inputShapes) { }

    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes) =>
        [(inputShapes[0], DType)];
}
