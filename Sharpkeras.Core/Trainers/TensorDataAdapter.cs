using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// Batches sliced from in-memory tensors (Keras's <c>ArrayDataAdapter</c>). With <c>shuffle</c>, pass p uses the
/// permutation drawn from a generator seeded with the run's seed and p, so an interrupted run replays any pass
/// exactly without touching a global generator.
/// </summary>
internal sealed class TensorDataAdapter : DataAdapter
{
    private readonly Tensor[] _arrays;
    private readonly int _batchSize;
    private readonly bool _shuffle;

    public TensorDataAdapter(Tensor[] arrays, int batchSize, bool shuffle)
    {
        _arrays = arrays;
        _batchSize = batchSize;
        _shuffle = shuffle;
        NumSamples = arrays[0].shape[0];
    }

    public long NumSamples { get; }

    public override long? NumBatches => (NumSamples + _batchSize - 1) / _batchSize;

    public override bool OwnsBatches => true;

    public override bool Shuffles => _shuffle;

    public override IEnumerable<Tensor[]> Pass(int pass, long shuffleSeed, int startBatch)
    {
        Tensor? perm = null;
        if (_shuffle)
        {
            using var gen = new torch.Generator(unchecked((ulong)(shuffleSeed + 1_000_003L * pass)), torch.CPU);
            perm = torch.randperm(NumSamples, generator: gen, dtype: ScalarType.Int64).DetachFromDisposeScope();
        }
        try
        {
            for (long start = (long)startBatch * _batchSize; start < NumSamples; start += _batchSize)
            {
                long len = Math.Min(_batchSize, NumSamples - start);
                var batch = new Tensor[_arrays.Length];
                using (var scope = NewDisposeScope())
                {
                    if (perm is null)
                    {
                        for (int i = 0; i < _arrays.Length; i++) batch[i] = _arrays[i].narrow(0, start, len);
                    }
                    else
                    {
                        var idx = perm.narrow(0, start, len);
                        for (int i = 0; i < _arrays.Length; i++)
                        {
                            var a = _arrays[i];
                            batch[i] = a.index_select(0, a.device_type == DeviceType.CPU ? idx : idx.to(a.device));
                        }
                    }
                    // The slices outlive this scope: the trainer attaches them to the step's scope.
                    foreach (var t in batch) t.DetachFromDisposeScope();
                }
                yield return batch;
            }
        }
        finally
        {
            perm?.Dispose();
        }
    }
}
