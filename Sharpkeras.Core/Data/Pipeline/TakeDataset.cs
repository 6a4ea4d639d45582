using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.Take</c>.</summary>
internal sealed class TakeDataset : Dataset
{
    private readonly Dataset _input;
    private readonly long _count;

    public TakeDataset(Dataset input, long count)
    {
        _input = input;
        _count = count;
    }

    internal override long RawCardinality
    {
        get
        {
            long c = _input.RawCardinality;
            if (_count < 0) return c;
            if (c == InfiniteCardinality) return _count;
            if (c == UnknownCardinality) return UnknownCardinality;
            return Math.Min(c, _count);
        }
    }

    internal override bool Batched => _input.Batched;

    internal override IndexedSource? Source => _input.Source;

    internal override IEnumerable<long> IndexPass()
    {
        if (_count == 0) yield break;
        long n = 0;
        foreach (var i in _input.IndexPass())
        {
            yield return i;
            if (_count >= 0 && ++n >= _count) yield break;
        }
    }

    internal override IEnumerable<Tensor[]> Elements()
    {
        if (Source != null) return base.Elements();
        return TakeElements();
    }

    private IEnumerable<Tensor[]> TakeElements()
    {
        if (_count == 0) yield break;
        long n = 0;
        foreach (var item in _input.Elements())
        {
            yield return item;
            if (_count >= 0 && ++n >= _count) yield break;
        }
    }
}
