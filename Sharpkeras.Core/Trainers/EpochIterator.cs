using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// The one source of batches (Keras's <c>EpochIterator</c>) for <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c> and the
/// <c>*OnBatch</c> calls: it picks the data adapter, applies class weights, moves each batch to the model's device
/// inside the step's dispose scope, keeps one iterator across epochs when <c>stepsPerEpoch</c> is given, and owns
/// the <see cref="EpochIteratorState"/> that <c>BackupAndRestore</c> saves.
/// </summary>
internal sealed partial class EpochIterator : IDisposable
{
    private readonly DataAdapter _adapter;
    private readonly int? _stepsPerEpoch;
    private readonly Device _device;
    private readonly IReadOnlyDictionary<int, double>? _batchClassWeight;
    private IEnumerator<Tensor[]>? _persistent;
    private int _passes;

    public EpochIterator(DataAdapter adapter, int? stepsPerEpoch, Device device, int initialEpoch = 0,
        IReadOnlyDictionary<int, double>? batchClassWeight = null)
    {
        _adapter = adapter;
        _stepsPerEpoch = stepsPerEpoch;
        _device = device;
        _batchClassWeight = batchClassWeight;
        // A shuffle seed is drawn only when the data is shuffled, so other runs leave the library generator untouched.
        State = new EpochIteratorState(initialEpoch, adapter.Shuffles ? RandomState.NextSeed() : 0);
    }

    /// <summary>Steps per epoch when known.</summary>
    public int? Steps => _stepsPerEpoch ?? (_adapter.NumBatches is long n ? (int)n : null);

    /// <summary>Where the run stands (epoch, step, shuffle seed).</summary>
    public EpochIteratorState State { get; }

    /// <summary>Starts the epoch <see cref="EpochIteratorState.Epoch"/>, skipping the batches <see cref="EpochIteratorState.Step"/> says are done.</summary>
    public Epoch StartEpoch() => new(this);

    /// <summary>One epoch's batches: <see cref="Next"/> pulls outside any scope, <see cref="Prepare"/> moves them into the step.</summary>
    internal sealed class Epoch : IDisposable
    {
        private readonly EpochIterator _owner;
        private readonly IEnumerator<Tensor[]> _e;
        private readonly bool _persistent;
        private int _step;

        public Epoch(EpochIterator owner)
        {
            _owner = owner;
            int skip = owner.State.Step;
            _step = skip;
            if (owner._stepsPerEpoch != null)
            {
                if (owner._persistent == null)
                {
                    owner._persistent = owner._adapter.Pass(owner._passes++, owner.State.ShuffleSeed, 0).GetEnumerator();
                    // Skip what was trained before an interruption.
                    for (int i = 0; i < skip && owner._persistent.MoveNext(); i++) { }
                }
                _e = owner._persistent;
                _persistent = true;
            }
            else
            {
                _e = owner._adapter.Pass(owner.State.Epoch, owner.State.ShuffleSeed, skip).GetEnumerator();
            }
        }

        /// <summary>The step number of the batch <see cref="Next"/> returns.</summary>
        public int Step => _step;

        /// <summary>
        /// Pulls the next batch from the source (outside any dispose scope: tensors a user's generator creates
        /// on this pull stay the user's), or null at the end of the epoch.
        /// </summary>
        public Tensor[]? Next()
        {
            if (_owner._stepsPerEpoch is int max && _step >= max) return null;
            Tensor[] batch;
            if (_e.MoveNext()) batch = _e.Current;
            else
            {
                if (!_persistent) return null;
                // Out of data with stepsPerEpoch: start a new pass (Keras resets the iterator).
                _owner._persistent!.Dispose();
                _owner._persistent = _owner._adapter.Pass(_owner._passes++, _owner.State.ShuffleSeed, 0).GetEnumerator();
                if (!_owner._persistent.MoveNext()) return null;
                batch = _owner._persistent.Current;
            }
            if (batch is null || batch.Length == 0 || batch.Any(t => t is null))
                throw new InvalidDataException($"The data yielded an empty batch or a null tensor at step {_step}.");
            return batch;
        }

        /// <summary>
        /// Makes a pulled batch the step's: tensors the adapter made are attached to <paramref name="scope"/> (freed
        /// with the step), class weights are added, and every tensor is moved to the model's device.
        /// </summary>
        public Tensor[] Prepare(Tensor[] batch, DisposeScope scope)
        {
            if (_owner._adapter.OwnsBatches)
                foreach (var t in batch) if (!scope.Contains(t)) scope.Attach(t);
            if (_owner._batchClassWeight is { } cw)
            {
                if (batch.Length < 2) throw new ArgumentException("classWeight needs batches with targets.", "classWeight");
                batch = [.. batch, DataChecks.ClassWeightsToSampleWeights(cw, batch[^1])];
            }
            _step++;
            _owner.State.Step = _step;
            return MoveToDevice(batch, _owner._device);
        }

        public void Dispose()
        {
            if (!_persistent) _e.Dispose();
        }
    }

    /// <summary>Moves every tensor to <paramref name="device"/> (non-blocking), leaving those already there.</summary>
    public static Tensor[] MoveToDevice(Tensor[] batch, Device device)
    {
        var moved = new Tensor[batch.Length];
        for (int i = 0; i < batch.Length; i++)
            moved[i] = DeviceUtils.IsOn(batch[i], device) ? batch[i] : batch[i].to(device, non_blocking: true);
        return moved;
    }

    public void Dispose() => _persistent?.Dispose();
}
