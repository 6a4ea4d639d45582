using Sharpkeras.Data;
using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>Turns user data into batches of tensors: <c>[x…, y…, sampleWeight?]</c>.</summary>
internal abstract class DataAdapter
{
    /// <summary>Batches in one pass, or null when unknown.</summary>
    public abstract long? NumBatches { get; }

    /// <summary>Whether the trainer disposes batches after each step.</summary>
    public abstract bool OwnsBatches { get; }

    /// <summary>Yields one pass over the data.</summary>
    public abstract IEnumerable<Tensor[]> Pass();
}

/// <summary>Batches sliced from in-memory tensors; shuffled with the library's generator every pass.</summary>
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

    public override IEnumerable<Tensor[]> Pass()
    {
        Tensor? perm = null;
        if (_shuffle)
        {
            perm = torch.randperm(NumSamples, generator: RandomState.Generator, dtype: ScalarType.Int64);
            perm.DetachFromDisposeScope();
        }
        try
        {
            var permOnDevice = new Dictionary<DeviceType, Tensor>();
            for (long start = 0; start < NumSamples; start += _batchSize)
            {
                long len = Math.Min(_batchSize, NumSamples - start);
                var batch = new Tensor[_arrays.Length];
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
                        var id = a.device_type == DeviceType.CPU ? idx : idx.to(a.device);
                        batch[i] = a.index_select(0, id);
                    }
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

/// <summary>Batches from a user enumerable (a <c>Dataset</c> or any <c>IEnumerable&lt;Tensor[]&gt;</c>).</summary>
internal sealed class EnumerableDataAdapter : DataAdapter
{
    private readonly IEnumerable<Tensor[]> _source;

    public EnumerableDataAdapter(IEnumerable<Tensor[]> source) => _source = source;

    public override long? NumBatches => _source is IBatchSource b ? b.Cardinality : _source is ICollection<Tensor[]> c ? c.Count : null;

    public override bool OwnsBatches => _source is IBatchSource { TransfersOwnership: true };

    public override IEnumerable<Tensor[]> Pass() => _source;
}

/// <summary>
/// The one place batches come from (Keras's <c>EpochIterator</c>): yields (step, batch) for each epoch,
/// moves each batch to the model's device, and with <c>stepsPerEpoch</c> keeps one iterator across epochs
/// (restarting it when it runs out).
/// </summary>
internal sealed class EpochIterator : IDisposable
{
    private readonly DataAdapter _adapter;
    private readonly int? _stepsPerEpoch;
    private readonly Device _device;
    private IEnumerator<Tensor[]>? _persistent;

    public EpochIterator(DataAdapter adapter, int? stepsPerEpoch, Device device)
    {
        _adapter = adapter;
        _stepsPerEpoch = stepsPerEpoch;
        _device = device;
    }

    /// <summary>Steps per epoch when known.</summary>
    public int? Steps => _stepsPerEpoch ?? (_adapter.NumBatches is long n ? (int)n : null);

    public bool OwnsBatches => _adapter.OwnsBatches;

    /// <summary>
    /// One epoch of batches. Call <c>TryNext</c> inside the step's DisposeScope so slicing temporaries
    /// are freed with the step.
    /// </summary>
    public Epoch StartEpoch() => new(this);

    internal sealed class Epoch : IDisposable
    {
        private readonly EpochIterator _owner;
        private readonly IEnumerator<Tensor[]> _e;
        private readonly bool _persistent;
        private int _step;

        public Epoch(EpochIterator owner)
        {
            _owner = owner;
            if (owner._stepsPerEpoch != null)
            {
                owner._persistent ??= owner._adapter.Pass().GetEnumerator();
                _e = owner._persistent;
                _persistent = true;
            }
            else
            {
                _e = owner._adapter.Pass().GetEnumerator();
            }
        }

        /// <summary>The next batch on the model's device, or null at the end of the epoch.</summary>
        public Tensor[]? TryNext(DisposeScope? scope, out int step)
        {
            step = _step;
            if (_owner._stepsPerEpoch is int max && _step >= max) return null;
            if (!_e.MoveNext())
            {
                if (!_persistent) return null;
                // Out of data with stepsPerEpoch: start a new pass (Keras resets the iterator).
                _owner._persistent!.Dispose();
                _owner._persistent = _owner._adapter.Pass().GetEnumerator();
                if (!_owner._persistent.MoveNext()) return null;
                return Yield(_owner._persistent.Current, scope, out step);
            }
            return Yield(_e.Current, scope, out step);
        }

        private Tensor[] Yield(Tensor[] batch, DisposeScope? scope, out int step)
        {
            if (batch is null || batch.Length == 0 || batch.Any(t => t is null))
                throw new InvalidDataException($"The data yielded an empty batch or a null tensor at step {_step}.");
            if (_owner.OwnsBatches && scope != null)
                foreach (var t in batch) if (!scope.Contains(t)) scope.Attach(t);
            var moved = new Tensor[batch.Length];
            for (int i = 0; i < batch.Length; i++)
                moved[i] = DeviceUtils.IsOn(batch[i], _owner._device) ? batch[i] : batch[i].to(_owner._device, non_blocking: true);
            step = _step++;
            return moved;
        }

        public void Dispose()
        {
            if (!_persistent) _e.Dispose();
        }
    }

    public void Dispose() => _persistent?.Dispose();
}
