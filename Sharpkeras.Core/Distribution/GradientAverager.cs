using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// Averages gradients over the ranks, weighted by each rank's sample count: every rank multiplies its gradients
/// by its count, the flattened gradients travel in buckets of about <c>bucketBytes</c> through one all-reduce each,
/// with the counts' sum in the first bucket, and each gradient becomes the sum divided by the total count. With a
/// loss that is a mean over the batch this is exactly the gradient of the global batch, whatever the split
/// (a rank with no samples contributes zeros). Gradients missing on a rank count as zeros. Runs after backward:
/// TorchSharp 0.107 exposes no per-parameter gradient hooks, so communication does not overlap the backward pass.
/// </summary>
internal sealed class GradientAverager
{
    private readonly ICommunicator _comm;
    private readonly long _bucketBytes;

    public GradientAverager(ICommunicator comm, long bucketBytes)
    {
        _comm = comm;
        _bucketBytes = bucketBytes;
    }

    /// <summary>Averages the gradients of <paramref name="parameters"/> in place; <paramref name="localSamples"/> is this rank's sample count.</summary>
    public void Average(IReadOnlyList<Tensor> parameters, double localSamples)
    {
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        // Buckets by type: float64 gradients travel as float64, every other float type as float32.
        var groups = parameters.GroupBy(p => p.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32)
                               .OrderBy(g => (int)g.Key).ToList();
        Tensor? total = null;
        var pending = new List<(Tensor flat, List<Tensor> members, int offset)>();
        foreach (var group in groups)
        {
            var members = new List<Tensor>();
            long bytes = 0;
            foreach (var p in group)
            {
                members.Add(p);
                bytes += p.numel() * (group.Key == ScalarType.Float64 ? 8 : 4);
                if (bytes >= _bucketBytes)
                {
                    Reduce(members, group.Key, localSamples, ref total, pending);
                    members = [];
                    bytes = 0;
                }
            }
            if (members.Count > 0) Reduce(members, group.Key, localSamples, ref total, pending);
        }
        if (total is null) return;
        foreach (var (flat, members, offset) in pending)
        {
            var scaled = flat.narrow(0, offset, flat.numel() - offset) / total.to(flat.dtype);
            long at = 0;
            foreach (var p in members)
            {
                long n = p.numel();
                var g = scaled.narrow(0, at, n).view(p.shape).to(p.dtype);
                at += n;
                if (p.grad is Tensor existing) existing.copy_(g);
                else p.grad = g.clone().DetachFromDisposeScope();
            }
        }
    }

    private void Reduce(List<Tensor> members, ScalarType type, double localSamples, ref Tensor? total, List<(Tensor, List<Tensor>, int)> pending)
    {
        var device = members[0].device;
        var parts = new List<Tensor>(members.Count + 1);
        int offset = 0;
        if (total is null)
        {
            parts.Add(torch.full([1], localSamples, dtype: type, device: device)); // the sample count travels with the first bucket
            offset = 1;
        }
        foreach (var p in members)
            parts.Add(p.grad is Tensor g ? g.reshape(-1).to(type) * localSamples : torch.zeros([p.numel()], dtype: type, device: device));
        var flat = torch.cat(parts, 0).contiguous();
        _comm.AllReduceSum(flat);
        if (offset == 1) total = flat.narrow(0, 0, 1);
        pending.Add((flat, members, offset));
    }
}
