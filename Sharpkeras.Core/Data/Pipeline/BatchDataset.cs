using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// <c>Dataset.Batch</c>. Over an indexed source it gathers each batch at once (one <c>index_select</c> or
/// <c>narrow</c> per tensor); otherwise it stacks the elements.
/// </summary>
internal sealed class BatchDataset : Dataset
{
    private readonly Dataset _input;
    private readonly int _batchSize;
    private readonly bool _dropRemainder;

    public BatchDataset(Dataset input, int batchSize, bool dropRemainder)
    {
        _input = input;
        _batchSize = batchSize;
        _dropRemainder = dropRemainder;
    }

    internal override long RawCardinality
    {
        get
        {
            long c = _input.RawCardinality;
            if (c < 0) return c;
            return _dropRemainder ? c / _batchSize : (c + _batchSize - 1) / _batchSize;
        }
    }

    internal override bool Batched => true;

    internal override IEnumerable<Tensor[]> Elements()
        => _input.Source is { } source ? GatherBatches(source) : StackBatches();

    private IEnumerable<Tensor[]> GatherBatches(IndexedSource source)
    {
        var buffer = new long[_batchSize];
        int n = 0;
        foreach (var i in _input.IndexPass())
        {
            buffer[n++] = i;
            if (n == _batchSize)
            {
                yield return source.Gather(buffer, n);
                n = 0;
            }
        }
        if (n > 0 && !_dropRemainder) yield return source.Gather(buffer, n);
    }

    private IEnumerable<Tensor[]> StackBatches()
    {
        var items = new List<Tensor[]>(Math.Min(_batchSize, 4096));
        try
        {
            foreach (var item in _input.Elements())
            {
                items.Add(Handles.Check(item, "Dataset.Batch input"));
                if (items.Count == _batchSize)
                {
                    var batch = Stack(items);
                    items.Clear();
                    yield return batch;
                }
            }
            if (items.Count > 0 && !_dropRemainder)
            {
                var batch = Stack(items);
                items.Clear();
                yield return batch;
            }
        }
        finally
        {
            foreach (var it in items) Handles.DisposeAll(it);
        }
    }

    private static Tensor[] Stack(List<Tensor[]> items)
    {
        int k = items[0].Length;
        for (int j = 1; j < items.Count; j++)
            if (items[j].Length != k)
                throw new InvalidOperationException($"Dataset.Batch: elements have different numbers of tensors ({k} and {items[j].Length}); every element must have the same structure.");
        var r = new Tensor[k];
        for (int c = 0; c < k; c++)
        {
            var parts = new Tensor[items.Count];
            for (int j = 0; j < items.Count; j++)
            {
                parts[j] = items[j][c];
                if (!parts[j].shape.SequenceEqual(parts[0].shape) || parts[j].dtype != parts[0].dtype)
                    throw new InvalidOperationException(
                        $"Dataset.Batch: tensor {c} of the elements has different shapes or types within one batch " +
                        $"({ShapeUtils.Format(parts[0].shape)} {parts[0].dtype} and {ShapeUtils.Format(parts[j].shape)} {parts[j].dtype}); resize or pad the elements first.");
            }
            r[c] = torch.stack(parts, 0);
        }
        foreach (var it in items) Handles.DisposeAll(it);
        return r;
    }
}
