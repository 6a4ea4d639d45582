using Sharpkeras.Data;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// Batches from a user enumerable: a <c>Dataset</c> or any <c>IEnumerable&lt;Tensor[]&gt;</c>, including a
/// generator that yields the same tensors forever. The trainer frees a batch only when the source says it
/// hands its batches over (a <c>Dataset</c> pipeline); a user's tensors are never disposed.
/// </summary>
internal sealed class EnumerableDataAdapter : DataAdapter
{
    private readonly IEnumerable<Tensor[]> _source;

    public EnumerableDataAdapter(IEnumerable<Tensor[]> source) => _source = source;

    public override long? NumBatches => _source is IBatchSource b ? b.Cardinality : _source is ICollection<Tensor[]> c ? c.Count : null;

    public override bool OwnsBatches => _source is IBatchSource { TransfersOwnership: true };

    public override IEnumerable<Tensor[]> Pass(int pass, long shuffleSeed, int startBatch)
    {
        int skipped = 0;
        foreach (var batch in _source)
        {
            if (skipped < startBatch)
            {
                skipped++;
                if (OwnsBatches && batch != null) foreach (var t in batch) t?.Dispose();
                continue;
            }
            yield return batch;
        }
    }
}
