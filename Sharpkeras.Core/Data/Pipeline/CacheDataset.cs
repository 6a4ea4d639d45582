using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// <c>Dataset.Cache</c>: remembers the first complete pass. Over an in-memory indexed source only the index
/// order is kept; otherwise copies of the elements are kept and each later pass hands out copies.
/// </summary>
internal sealed class CacheDataset : Dataset
{
    private readonly Dataset _input;
    private readonly object _gate = new();
    private long[]? _indices;
    private List<Tensor[]>? _elements;

    public CacheDataset(Dataset input) => _input = input;

    internal override long RawCardinality
    {
        get
        {
            lock (_gate)
            {
                if (_indices != null) return _indices.Length;
                if (_elements != null) return _elements.Count;
            }
            return _input.RawCardinality;
        }
    }

    internal override bool Batched => _input.Batched;

    internal override IndexedSource? Source => _input.Source is { InMemory: true } s ? s : null;

    internal override IEnumerable<long> IndexPass()
    {
        long[]? cached;
        lock (_gate) cached = _indices;
        return cached ?? FillIndices();
    }

    private IEnumerable<long> FillIndices()
    {
        var list = new List<long>();
        foreach (var i in _input.IndexPass())
        {
            list.Add(i);
            yield return i;
        }
        lock (_gate) _indices ??= list.ToArray();
    }

    internal override IEnumerable<Tensor[]> Elements()
    {
        if (Source != null) return base.Elements();
        List<Tensor[]>? cached;
        lock (_gate) cached = _elements;
        return cached != null ? Replay(cached) : FillElements();
    }

    private static IEnumerable<Tensor[]> Replay(List<Tensor[]> cached)
    {
        foreach (var held in cached)
        {
            var copy = new Tensor[held.Length];
            for (int i = 0; i < held.Length; i++) copy[i] = held[i].clone();
            yield return copy;
        }
    }

    private IEnumerable<Tensor[]> FillElements()
    {
        var kept = new List<Tensor[]>();
        bool complete = false;
        try
        {
            foreach (var item in _input.Elements())
            {
                var copy = new Tensor[item.Length];
                for (int i = 0; i < item.Length; i++) copy[i] = item[i].clone().DetachFromDisposeScope();
                kept.Add(copy);
                yield return item;
            }
            complete = true;
        }
        finally
        {
            bool stored = false;
            if (complete)
                lock (_gate)
                    if (_elements == null)
                    {
                        _elements = kept;
                        stored = true;
                    }
            if (!stored)
                foreach (var k in kept) Handles.DisposeAll(k);
        }
    }
}
