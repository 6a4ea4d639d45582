using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.Skip</c>.</summary>
internal sealed class SkipDataset : Dataset
{
    private readonly Dataset _input;
    private readonly long _count;

    public SkipDataset(Dataset input, long count)
    {
        _input = input;
        _count = count;
    }

    internal override long RawCardinality
    {
        get
        {
            long c = _input.RawCardinality;
            if (c < 0) return c;
            return _count < 0 ? 0 : Math.Max(0, c - _count);
        }
    }

    internal override bool Batched => _input.Batched;

    internal override IndexedSource? Source => _input.Source;

    internal override IEnumerable<long> IndexPass()
    {
        long n = 0;
        foreach (var i in _input.IndexPass())
        {
            if (_count < 0 || n++ < _count) continue;
            yield return i;
        }
    }

    internal override IEnumerable<Tensor[]> Elements()
    {
        if (Source != null) return base.Elements();
        return SkipElements();
    }

    private IEnumerable<Tensor[]> SkipElements()
    {
        long n = 0;
        foreach (var item in _input.Elements())
        {
            if (_count < 0 || n++ < _count)
            {
                Handles.DisposeAll(item);
                continue;
            }
            yield return item;
        }
    }
}
