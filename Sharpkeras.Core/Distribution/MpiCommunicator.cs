using System.Reflection;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// Collectives over MPI through MPI.NET. MPI.NET binds MS-MPI's ABI (<c>msmpi.dll</c>), which MPICH and Intel MPI
/// share: on Linux and macOS the library is mapped to <c>libmpich.so.12</c> (or <c>libmpi.so.12</c>, or the file named by
/// the environment variable <c>SHARPKERAS_MPI_LIBRARY</c>). Open MPI has a different ABI and is not supported.
/// Start the program with the MPI launcher (<c>mpiexec -np 4 dotnet my-app.dll</c>); started alone it is a group of one.
/// Tensors on a GPU are staged through host memory (use <see cref="NcclCommunicator"/> there).
/// </summary>
public sealed class MpiCommunicator : ICommunicator
{
    private static readonly IntPtr InPlace = new(-1); // MPI_IN_PLACE in the MPICH and MS-MPI ABIs
    private static readonly object Gate = new();
    private static bool _resolverSet;
    private static MPI.Environment? _environment;
    private static int _users;

    private readonly CollectiveWatchdog _watchdog;
    private bool _disposed;

    /// <summary>Initializes MPI (once per process) and joins the world communicator.</summary>
    /// <param name="timeoutSeconds">How long one collective may wait for the other ranks before this process ends with an error.</param>
    public MpiCommunicator(double timeoutSeconds = 300)
    {
        if (!(timeoutSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(timeoutSeconds), timeoutSeconds, "timeoutSeconds must be positive.");
        lock (Gate)
        {
            RegisterLibraryResolver();
            if (_environment == null)
            {
                if (MPI.Environment.Finalized)
                    throw new InvalidOperationException("MPI was already finalized in this process and cannot be started again: create one DataParallel per process.");
                var args = Array.Empty<string>();
                try
                {
                    _environment = new MPI.Environment(ref args, MPI.Threading.Serialized);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
                {
                    throw new DistributedTrainingException(
                        "Could not load an MPI library with the MPICH ABI (tried " + string.Join(", ", LibraryCandidates()) + "). " +
                        "Install MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev) or Intel MPI, or set SHARPKERAS_MPI_LIBRARY " +
                        "to the library's path. Open MPI is not supported (different ABI).", e);
                }
            }
            _users++;
        }
        Check(MPI.Unsafe.MPI_Comm_rank(MPI.Unsafe.MPI_COMM_WORLD, out int rank), "MPI_Comm_rank");
        Check(MPI.Unsafe.MPI_Comm_size(MPI.Unsafe.MPI_COMM_WORLD, out int size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        _watchdog = new CollectiveWatchdog(TimeSpan.FromSeconds(timeoutSeconds), rank, size);
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <inheritdoc />
    public string Backend => "mpi";

    /// <summary>The rank of this process among those on the same machine (from the launcher's environment), or <see cref="Rank"/>.</summary>
    public int LocalRank =>
        int.TryParse(Environment.GetEnvironmentVariable("MPI_LOCALRANKID") ?? Environment.GetEnvironmentVariable("PMI_LOCAL_RANK")
            ?? Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK"), out int r) ? r : Rank;

    /// <inheritdoc />
    public void AllReduceSum(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed();
        int type = tensor.dtype switch
        {
            ScalarType.Float32 => MPI.Unsafe.MPI_FLOAT,
            ScalarType.Float64 => MPI.Unsafe.MPI_DOUBLE,
            _ => throw new ArgumentException($"AllReduceSum takes float32 or float64 tensors; got {tensor.dtype}.", nameof(tensor)),
        };
        if (Size == 1) return;
        WithHostBuffer(tensor, buffer =>
        {
            IntPtr p = TensorMemory.DataPointer(buffer);
            long n = buffer.numel();
            int elementSize = (int)buffer.element_size();
            const int chunk = 1 << 28;
            using var _ = _watchdog.Enter($"all-reduce of {n} values");
            for (long off = 0; off < n; off += chunk)
            {
                int count = (int)Math.Min(chunk, n - off);
                Check(MPI.Unsafe.MPI_Allreduce(InPlace, p + (nint)(off * elementSize), count, type, MPI.Unsafe.MPI_SUM, MPI.Unsafe.MPI_COMM_WORLD), "MPI_Allreduce");
            }
        });
    }

    /// <inheritdoc />
    public void Broadcast(Tensor tensor, int root)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ThrowIfDisposed();
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank in [0, {Size - 1}].");
        if (Size == 1) return;
        WithHostBuffer(tensor, buffer =>
        {
            IntPtr p = TensorMemory.DataPointer(buffer);
            long bytes = TensorMemory.ByteCount(buffer);
            const int chunk = 1 << 30;
            using var _ = _watchdog.Enter($"broadcast of {bytes} bytes from rank {root}");
            for (long off = 0; off < bytes; off += chunk)
                Check(MPI.Unsafe.MPI_Bcast(p + (nint)off, (int)Math.Min(chunk, bytes - off), MPI.Unsafe.MPI_BYTE, root, MPI.Unsafe.MPI_COMM_WORLD), "MPI_Bcast");
        });
    }

    /// <inheritdoc />
    public void Barrier()
    {
        ThrowIfDisposed();
        if (Size == 1) return;
        using var _ = _watchdog.Enter("barrier");
        Check(MPI.Unsafe.MPI_Barrier(MPI.Unsafe.MPI_COMM_WORLD), "MPI_Barrier");
    }

    /// <summary>Runs <paramref name="action"/> on a contiguous host tensor holding <paramref name="tensor"/>'s values, and copies results back.</summary>
    private static void WithHostBuffer(Tensor tensor, Action<Tensor> action)
    {
        if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
        {
            action(tensor);
            return;
        }
        using var host = tensor.detach().cpu().contiguous().clone();
        action(host);
        using var _ = no_grad();
        tensor.copy_(host);
    }

    private void Check(int code, string call)
    {
        if (code == 0) return;
        throw new DistributedTrainingException($"{call} failed on rank {Rank} of {Size} with MPI error code {code}: another rank has probably died; see its output.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// Finalizes MPI when the last communicator of the process is disposed. MPI cannot be started again in the
    /// same process afterwards.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _watchdog.Dispose();
        lock (Gate)
        {
            if (--_users == 0 && _environment != null)
            {
                _environment.Dispose();
                _environment = null;
            }
        }
    }

    // ----------------------------------------------------------------------------- native library

    private static IEnumerable<string> LibraryCandidates()
    {
        var custom = Environment.GetEnvironmentVariable("SHARPKERAS_MPI_LIBRARY");
        if (!string.IsNullOrEmpty(custom)) yield return custom;
        if (OperatingSystem.IsWindows()) { yield return "msmpi.dll"; yield break; }
        if (OperatingSystem.IsMacOS())
        {
            yield return "libmpich.12.dylib";
            yield return "libmpi.12.dylib";
            yield break;
        }
        yield return "libmpich.so.12";
        yield return "libmpi.so.12"; // Intel MPI and MPICH builds that name the library libmpi
    }

    /// <summary>Maps MPI.NET's <c>msmpi.dll</c> imports to an MPICH-ABI library on this platform (once per process).</summary>
    private static void RegisterLibraryResolver()
    {
        if (_resolverSet) return;
        _resolverSet = true;
        if (OperatingSystem.IsWindows() && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SHARPKERAS_MPI_LIBRARY"))) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(MPI.Communicator).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The application set its own resolver for MPI.NET: use it.
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (!name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase)) return IntPtr.Zero;
        foreach (var candidate in LibraryCandidates())
        {
            if (candidate.Contains("libmpi.so.40", StringComparison.Ordinal))
                throw new DistributedTrainingException($"SHARPKERAS_MPI_LIBRARY names Open MPI ({candidate}), whose ABI MPI.NET cannot use. Use MPICH or Intel MPI.");
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        return IntPtr.Zero;
    }
}
