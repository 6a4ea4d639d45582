using System.Runtime.InteropServices;

namespace Sharpkeras.Distribution;

/// <summary>
/// The NCCL 2 C API used by <see cref="NcclCommunicator"/>, bound at run time from <c>libnccl.so.2</c> (or the file named
/// by <c>SHARPKERAS_NCCL_LIBRARY</c>) through function pointers, so that nothing is loaded on machines without NCCL.
/// </summary>
internal static class NcclNative
{
    public const int UniqueIdBytes = 128;
    public const int Uint8 = 1, Float32 = 7, Float64 = 8; // ncclDataType_t
    public const int Sum = 0;                             // ncclRedOp_t

    /// <summary>ncclUniqueId: 128 opaque bytes passed by value.</summary>
    [StructLayout(LayoutKind.Sequential, Size = UniqueIdBytes)]
    public struct UniqueId
    {
        private readonly long _first;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int GetUniqueIdFn(out UniqueId id);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int CommInitRankFn(out IntPtr comm, int nranks, UniqueId id, int rank);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int AllReduceFn(IntPtr sendbuff, IntPtr recvbuff, nuint count, int datatype, int op, IntPtr comm, IntPtr stream);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int BroadcastFn(IntPtr sendbuff, IntPtr recvbuff, nuint count, int datatype, int root, IntPtr comm, IntPtr stream);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int CommDestroyFn(IntPtr comm);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate IntPtr GetErrorStringFn(int result);

    private static readonly Lazy<IntPtr> Handle = new(Load);

    private static IntPtr Load()
    {
        var custom = Environment.GetEnvironmentVariable("SHARPKERAS_NCCL_LIBRARY");
        var names = string.IsNullOrEmpty(custom) ? new[] { "libnccl.so.2", "libnccl.so" } : new[] { custom };
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, out var h)) return h;
        return IntPtr.Zero;
    }

    /// <summary>Whether libnccl can be loaded here.</summary>
    public static bool IsAvailable() => Handle.Value != IntPtr.Zero;

    private static T Function<T>(string name) where T : Delegate
    {
        if (Handle.Value == IntPtr.Zero) throw new DistributedTrainingException("libnccl.so.2 could not be loaded: install NCCL 2 or set SHARPKERAS_NCCL_LIBRARY.");
        return Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(Handle.Value, name));
    }

    private static readonly Lazy<GetUniqueIdFn> GetUniqueIdPtr = new(() => Function<GetUniqueIdFn>("ncclGetUniqueId"));
    private static readonly Lazy<CommInitRankFn> CommInitRankPtr = new(() => Function<CommInitRankFn>("ncclCommInitRank"));
    private static readonly Lazy<AllReduceFn> AllReducePtr = new(() => Function<AllReduceFn>("ncclAllReduce"));
    private static readonly Lazy<BroadcastFn> BroadcastPtr = new(() => Function<BroadcastFn>("ncclBroadcast"));
    private static readonly Lazy<CommDestroyFn> CommDestroyPtr = new(() => Function<CommDestroyFn>("ncclCommDestroy"));
    private static readonly Lazy<GetErrorStringFn> GetErrorStringPtr = new(() => Function<GetErrorStringFn>("ncclGetErrorString"));

    public static int GetUniqueId(out UniqueId id) => GetUniqueIdPtr.Value(out id);

    public static int CommInitRank(out IntPtr comm, int nranks, UniqueId id, int rank) => CommInitRankPtr.Value(out comm, nranks, id, rank);

    public static int AllReduce(IntPtr sendbuff, IntPtr recvbuff, nuint count, int datatype, int op, IntPtr comm, IntPtr stream) =>
        AllReducePtr.Value(sendbuff, recvbuff, count, datatype, op, comm, stream);

    public static int Broadcast(IntPtr sendbuff, IntPtr recvbuff, nuint count, int datatype, int root, IntPtr comm, IntPtr stream) =>
        BroadcastPtr.Value(sendbuff, recvbuff, count, datatype, root, comm, stream);

    public static int CommDestroy(IntPtr comm) => CommDestroyPtr.Value(comm);

    public static string ErrorString(int result)
    {
        try { return Marshal.PtrToStringAnsi(GetErrorStringPtr.Value(result)) ?? $"error {result}"; }
        catch (Exception e) when (e is DistributedTrainingException or EntryPointNotFoundException) { return $"error {result}"; }
    }
}
