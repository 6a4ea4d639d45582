using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary><c>Dataset.Shard</c>: every <c>numShards</c>-th element, starting at <c>index</c>.</summary>
internal sealed class ShardDataset : Dataset
{
    private readonly Dataset _input;
    private readonly int _numShards;
    private readonly int _index;

    public ShardDataset(Dataset input, int numShards, int index)
    {
        _input = input;
        _numShards = numShards;
        _index = index;
    }

    internal override long RawCardinality
    {
        get
        {
            long c = _input.RawCardinality;
            if (c < 0) return c;
            return c <= _index ? 0 : (c - _index + _numShards - 1) / _numShards;
        }
    }

    internal override bool Batched => _input.Batched;

    internal override IndexedSource? Source => _input.Source;

    internal override IEnumerable<long> IndexPass()
    {
        long n = 0;
        foreach (var i in _input.IndexPass())
            if (n++ % _numShards == _index) yield return i;
    }

    internal override IEnumerable<Tensor[]> Elements()
    {
        if (Source != null) return base.Elements();
        return ShardElements();
    }

    private IEnumerable<Tensor[]> ShardElements()
    {
        long n = 0;
        foreach (var item in _input.Elements())
        {
            if (n++ % _numShards != _index)
            {
                Handles.DisposeAll(item);
                continue;
            }
            yield return item;
        }
    }
}
