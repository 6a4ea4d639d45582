using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>Native addresses of tensor data, for handing buffers to MPI and NCCL without copies.</summary>
internal static class TensorMemory
{
    /// <summary>The address of the first element of a contiguous tensor (host or device memory).</summary>
    public static IntPtr DataPointer(Tensor t)
    {
        if (!t.is_contiguous()) throw new ArgumentException("The tensor must be contiguous.", nameof(t));
        IntPtr basePtr = t.dtype switch
        {
            ScalarType.Float32 => t.storage<float>().data_ptr(),
            ScalarType.Float64 => t.storage<double>().data_ptr(),
            ScalarType.Byte => t.storage<byte>().data_ptr(),
            ScalarType.Int64 => t.storage<long>().data_ptr(),
            ScalarType.Int32 => t.storage<int>().data_ptr(),
            _ => throw new ArgumentException($"Tensors of type {t.dtype} are not supported by the communicators; use float32, float64, int32, int64 or uint8.", nameof(t)),
        };
        return basePtr + (nint)(t.storage_offset() * t.element_size());
    }

    /// <summary>Bytes of a contiguous tensor's data.</summary>
    public static long ByteCount(Tensor t) => t.numel() * t.element_size();
}
