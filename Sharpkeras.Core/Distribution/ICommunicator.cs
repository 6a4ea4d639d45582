using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// The collective operations data-parallel training needs, over a fixed group of processes ("ranks").
/// <see cref="MpiCommunicator"/> implements it with MPI (CPU tensors, any MPICH-ABI library) and
/// <see cref="NcclCommunicator"/> with NVIDIA's NCCL (CUDA tensors, one process per GPU). Every rank must
/// call the same operations in the same order with tensors of the same shape and type.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's index in the group, 0 … <see cref="Size"/>-1; rank 0 is the chief.</summary>
    int Rank { get; }

    /// <summary>Number of processes in the group.</summary>
    int Size { get; }

    /// <summary>A short name of the transport ("mpi", "nccl").</summary>
    string Backend { get; }

    /// <summary>
    /// Replaces <paramref name="tensor"/> (float32 or float64, contiguous) in place by the element-wise sum of
    /// the tensors every rank passed.
    /// </summary>
    /// <param name="tensor">The local values; on return, the sum over all ranks.</param>
    void AllReduceSum(Tensor tensor);

    /// <summary>Overwrites <paramref name="tensor"/> (contiguous, any type) on every rank with rank <paramref name="root"/>'s values.</summary>
    /// <param name="tensor">The values to send (on <paramref name="root"/>) or receive (elsewhere).</param>
    /// <param name="root">The rank whose values are sent.</param>
    void Broadcast(Tensor tensor, int root);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();
}
