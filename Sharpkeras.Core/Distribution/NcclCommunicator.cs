using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// Collectives with NVIDIA NCCL for CUDA tensors (one process per GPU), on the default CUDA stream, written
/// against the same <see cref="ICommunicator"/> as <see cref="MpiCommunicator"/>. MPI starts the processes and
/// hands every rank NCCL's unique id; host tensors (shuffling state, counters) still travel over MPI. Needs
/// <c>libnccl.so.2</c> on the library path (or <c>SHARPKERAS_NCCL_LIBRARY</c>). Each rank uses the GPU numbered by its
/// local rank on the machine; call collectives from the thread that created the communicator.
/// </summary>
public sealed class NcclCommunicator : ICommunicator
{
    private readonly MpiCommunicator _mpi;
    private readonly bool _ownsMpi;
    private readonly CollectiveWatchdog _watchdog;
    private IntPtr _comm;

    /// <summary>Creates the NCCL communicator of all MPI ranks; call it on every rank at the same time.</summary>
    /// <param name="bootstrap">The MPI communicator that exchanges NCCL's unique id (created when null).</param>
    /// <param name="timeoutSeconds">How long one collective may wait before this process ends with an error.</param>
    public NcclCommunicator(MpiCommunicator? bootstrap = null, double timeoutSeconds = 300)
    {
        if (!(timeoutSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(timeoutSeconds), timeoutSeconds, "timeoutSeconds must be positive.");
        if (!torch.cuda.is_available()) throw new InvalidOperationException("NcclCommunicator needs CUDA: torch.cuda.is_available() is false (use MpiCommunicator on CPUs).");
        if (!NcclNative.IsAvailable()) throw new DistributedTrainingException("NcclCommunicator could not load libnccl.so.2: install NCCL 2, add it to LD_LIBRARY_PATH or set SHARPKERAS_NCCL_LIBRARY.");
        _ownsMpi = bootstrap is null;
        _mpi = bootstrap ?? new MpiCommunicator(timeoutSeconds);
        Device = new Device(DeviceType.CUDA, _mpi.LocalRank % Math.Max(1, (int)torch.cuda.device_count()));
        var id = default(NcclNative.UniqueId);
        if (_mpi.Rank == 0) Check(NcclNative.GetUniqueId(out id), "ncclGetUniqueId");
        var bytes = new byte[NcclNative.UniqueIdBytes];
        MemoryMarshal.Write(bytes, in id);
        using (var idTensor = torch.tensor(bytes))
        {
            _mpi.Broadcast(idTensor, 0);
            idTensor.data<byte>().CopyTo(bytes, 0);
        }
        id = MemoryMarshal.Read<NcclNative.UniqueId>(bytes);
        // NCCL creates the communicator on the thread's current CUDA device: make it this rank's GPU.
        CudaDriver.SetCurrentDevice(Device.index);
        _watchdog = new CollectiveWatchdog(TimeSpan.FromSeconds(timeoutSeconds), _mpi.Rank, _mpi.Size);
        using (_watchdog.Enter("ncclCommInitRank"))
            Check(NcclNative.CommInitRank(out _comm, _mpi.Size, id, _mpi.Rank), "ncclCommInitRank");
    }

    /// <summary>The GPU this rank uses (put the model there: <c>Keras.Config.Device</c>).</summary>
    public Device Device { get; }

    /// <inheritdoc />
    public int Rank => _mpi.Rank;

    /// <inheritdoc />
    public int Size => _mpi.Size;

    /// <inheritdoc />
    public string Backend => "nccl";

    /// <inheritdoc />
    public void AllReduceSum(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CUDA) { _mpi.AllReduceSum(tensor); return; }
        int type = tensor.dtype switch
        {
            ScalarType.Float32 => NcclNative.Float32,
            ScalarType.Float64 => NcclNative.Float64,
            _ => throw new ArgumentException($"AllReduceSum takes float32 or float64 tensors; got {tensor.dtype}.", nameof(tensor)),
        };
        if (!tensor.is_contiguous()) throw new ArgumentException("AllReduceSum needs a contiguous tensor.", nameof(tensor));
        var p = TensorMemory.DataPointer(tensor);
        using var _ = _watchdog.Enter($"NCCL all-reduce of {tensor.numel()} values");
        Check(NcclNative.AllReduce(p, p, (nuint)tensor.numel(), type, NcclNative.Sum, _comm, IntPtr.Zero), "ncclAllReduce");
        torch.cuda.synchronize(tensor.device);
    }

    /// <inheritdoc />
    public void Broadcast(Tensor tensor, int root)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CUDA) { _mpi.Broadcast(tensor, root); return; }
        if (!tensor.is_contiguous()) throw new ArgumentException("Broadcast needs a contiguous tensor.", nameof(tensor));
        var p = TensorMemory.DataPointer(tensor);
        using var _ = _watchdog.Enter($"NCCL broadcast from rank {root}");
        Check(NcclNative.Broadcast(p, p, (nuint)TensorMemory.ByteCount(tensor), NcclNative.Uint8, root, _comm, IntPtr.Zero), "ncclBroadcast");
        torch.cuda.synchronize(tensor.device);
    }

    /// <inheritdoc />
    public void Barrier() => _mpi.Barrier();

    private void Check(int result, string call)
    {
        if (result != 0)
            throw new DistributedTrainingException($"{call} failed on rank {_mpi.Rank} of {_mpi.Size}: {NcclNative.ErrorString(result)}.");
    }

    /// <summary>Destroys the NCCL communicator (and the MPI one it created).</summary>
    public void Dispose()
    {
        if (_comm != IntPtr.Zero)
        {
            NcclNative.CommDestroy(_comm);
            _comm = IntPtr.Zero;
            _watchdog.Dispose();
        }
        if (_ownsMpi) _mpi.Dispose();
    }
}
