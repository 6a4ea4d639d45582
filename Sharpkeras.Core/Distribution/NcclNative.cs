using System.Runtime.InteropServices;

namespace Sharpkeras.Distribution;

/// <summary>P/Invoke declarations of the NCCL 2 C API (<c>libnccl.so.2</c>) used by <see cref="NcclCommunicator"/>.</summary>
internal static partial class NcclNative
{
    private const string Library = "nccl";

    public const int UniqueIdBytes = 128;
    public const int Uint8 = 1, Float32 = 7, Float64 = 8; // ncclDataType_t
    public const int Sum = 0;                             // ncclRedOp_t

    /// <summary>ncclUniqueId: 128 opaque bytes passed by value.</summary>
    [StructLayout(LayoutKind.Sequential, Size = UniqueIdBytes)]
    public struct UniqueId
    {
        private readonly long _first;
    }

    [DllImport(Library, EntryPoint = "ncclGetUniqueId")]
    public static extern int GetUniqueId(out UniqueId id);

    [DllImport(Library, EntryPoint = "ncclCommInitRank")]
    public static extern int CommInitRank(out IntPtr comm, int nranks, UniqueId id, int rank);

    [DllImport(Library, EntryPoint = "ncclAllReduce")]
    public static extern int AllReduce(IntPtr sendbuff, IntPtr recvbuff, nuint count, int datatype, int op, IntPtr comm, IntPtr stream);

    [DllImport(Library, EntryPoint = "ncclBroadcast")]
    public static extern int Broadcast(IntPtr sendbuff, IntPtr recvbuff, nuint count, int datatype, int root, IntPtr comm, IntPtr stream);

    [DllImport(Library, EntryPoint = "ncclCommDestroy")]
    public static extern int CommDestroy(IntPtr comm);

    [DllImport(Library, EntryPoint = "ncclGetErrorString")]
    public static extern IntPtr GetErrorString(int result);

    /// <summary>Whether libnccl can be loaded here.</summary>
    public static bool IsAvailable()
    {
        foreach (var name in new[] { "libnccl.so.2", "libnccl.so", "nccl" })
            if (NativeLibrary.TryLoad(name, typeof(NcclNative).Assembly, null, out var h)) { NativeLibrary.Free(h); return true; }
        return false;
    }

    public static string ErrorString(int result)
    {
        try { return Marshal.PtrToStringAnsi(GetErrorString(result)) ?? $"error {result}"; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return $"error {result}"; }
    }
}
