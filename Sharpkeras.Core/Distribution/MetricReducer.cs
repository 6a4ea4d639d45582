using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// Sums the state of every compiled metric over the ranks (one all-reduce for all of them), so that each rank's
/// <c>Result()</c> is the metric over the whole data. Correct for metrics whose state is a sum over samples
/// (every built-in metric: totals and counts, confusion counts).
/// </summary>
internal static class MetricReducer
{
    public static void AllReduce(ICommunicator comm, Model model)
    {
        if (comm.Size == 1) return;
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        var states = model.Metrics.SelectMany(m => m.States.Select(s => (metric: m.Name, s.name, s.value))).ToList();
        var present = states.Where(s => s.value is not null).Select(s => s.value!).ToList();
        double count = present.Count, total = present.Sum(t => (double)t.numel());
        var head = torch.tensor(new[] { count, total }, dtype: ScalarType.Float64);
        comm.AllReduceSum(head);
        var sums = head.data<double>().ToArray();
        if (sums[0] != count * comm.Size || sums[1] != total * comm.Size)
            throw new DistributedTrainingException(
                $"Rank {comm.Rank} has {count} metric states ({total} values) but the ranks together have {sums[0]} ({sums[1]}): " +
                "every rank must compile the same metrics and see at least one batch.");
        if (present.Count == 0) return;
        var flat = torch.cat(present.Select(t => t.detach().reshape(-1).to(ScalarType.Float64, CPU)).ToArray(), 0).contiguous();
        comm.AllReduceSum(flat);
        long at = 0;
        foreach (var t in present)
        {
            long n = t.numel();
            t.copy_(flat.narrow(0, at, n).view(t.shape).to(t.dtype, t.device));
            at += n;
        }
    }
}
