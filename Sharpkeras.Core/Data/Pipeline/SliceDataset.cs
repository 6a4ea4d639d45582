using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.FromTensorSlices</c>, and any unbatched dataset backed by an <see cref="IndexedSource"/>.</summary>
internal sealed class SliceDataset : Dataset
{
    private readonly IndexedSource _source;

    public SliceDataset(Tensor[] tensors) : this(new TensorSource(tensors)) { }

    public SliceDataset(IndexedSource source) => _source = source;

    internal override long RawCardinality => _source.Count;

    internal override bool Batched => false;

    internal override IndexedSource? Source => _source;

    internal override IEnumerable<long> IndexPass()
    {
        for (long i = 0; i < _source.Count; i++) yield return i;
    }
}
