using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>A dataset over a function that starts a pass (used by <c>TextDataset.Map</c>).</summary>
internal sealed class EnumerableDataset : Dataset
{
    private readonly Func<IEnumerable<Tensor[]>> _pass;
    private readonly long _cardinality;
    private readonly bool _batched;

    public EnumerableDataset(Func<IEnumerable<Tensor[]>> pass, long cardinality, bool batched)
    {
        _pass = pass;
        _cardinality = cardinality;
        _batched = batched;
    }

    internal override long RawCardinality => _cardinality;

    internal override bool Batched => _batched;

    internal override IEnumerable<Tensor[]> Elements() => _pass();
}
