using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>Splits a global batch evenly over the ranks: rank r gets a contiguous slice, the first <c>n % size</c> ranks one sample more.</summary>
internal static class BatchSharding
{
    /// <summary>The start and length of rank <paramref name="rank"/>'s slice of <paramref name="n"/> samples.</summary>
    public static (long start, long length) Slice(long n, int rank, int size)
    {
        long baseLen = n / size, extra = n % size;
        long start = rank * baseLen + Math.Min(rank, extra);
        long length = baseLen + (rank < extra ? 1 : 0);
        return (start, length);
    }

    /// <summary>This rank's slice of every tensor of the batch (views, no copies).</summary>
    public static Tensor[] Local(Tensor[] batch, int rank, int size)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Length == 0) throw new ArgumentException("The batch holds no tensors.", nameof(batch));
        long n = batch[0].shape[0];
        var (start, length) = Slice(n, rank, size);
        var local = new Tensor[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            if (batch[i].dim() == 0 || batch[i].shape[0] != n)
                throw new ArgumentException($"Every tensor of a batch needs the same number of samples ({n}); tensor {i} has shape ({string.Join(", ", batch[i].shape)}).", nameof(batch));
            local[i] = batch[i].narrow(0, start, length);
        }
        return local;
    }
}
