using System.Reflection;
using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>Copies the chief's weights, optimizer state and shuffling generator to every rank.</summary>
internal static class ModelSynchronizer
{
    /// <summary>Broadcasts every weight of <paramref name="model"/> (trainable or not) from rank 0, after checking that all ranks hold the same weights.</summary>
    public static void BroadcastWeights(ICommunicator comm, Model model)
    {
        var variables = model.Variables;
        CheckSameLayout(comm, variables.Select(v => v.Value).ToList(), $"model '{model.Name}' weights");
        using var ng = no_grad();
        foreach (var v in variables) comm.Broadcast(v.Value, 0);
    }

    /// <summary>Broadcasts the optimizer's iteration count and per-weight state from rank 0 (building it where the chief's is built).</summary>
    public static void BroadcastOptimizer(ICommunicator comm, Model model)
    {
        var opt = model.Optimizer;
        if (opt is null) return;
        using var scope = NewDisposeScope();
        var head = torch.tensor(new double[] { opt.Built ? 1 : 0, opt.Iterations });
        comm.Broadcast(head, 0);
        var values = head.data<double>().ToArray();
        opt.Iterations = (long)values[1];
        if (values[0] == 0) return;
        if (!opt.Built) opt.Build(model.TrainableWeights);
        if (opt.TorchOptimizer is not TorchSharp.Modules.OptimizerHelper helper) return;
        var states = helper.state_dict().State;
        var tensors = new List<Tensor>();
        var scalars = new List<(object state, FieldInfo field)>();
        foreach (var state in states)
        {
            foreach (var f in state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.MetadataToken))
            {
                if (f.FieldType == typeof(Tensor)) { if (f.GetValue(state) is Tensor t) tensors.Add(t); }
                else if (f.FieldType == typeof(long) || f.FieldType == typeof(int) || f.FieldType == typeof(double) || f.FieldType == typeof(float))
                    scalars.Add((state, f));
            }
        }
        CheckSameLayout(comm, tensors, $"optimizer '{opt.Name}' state");
        using var ng = no_grad();
        foreach (var t in tensors) comm.Broadcast(t, 0);
        if (scalars.Count == 0) return;
        var packed = torch.tensor(scalars.Select(s => Convert.ToDouble(s.field.GetValue(s.state))).ToArray());
        comm.Broadcast(packed, 0);
        var got = packed.data<double>().ToArray();
        for (int i = 0; i < scalars.Count; i++)
        {
            var (state, field) = scalars[i];
            object boxed = field.FieldType == typeof(long) ? (object)(long)got[i] : field.FieldType == typeof(int) ? (object)(int)got[i]
                : field.FieldType == typeof(float) ? (object)(float)got[i] : (object)got[i];
            field.SetValue(state, boxed);
        }
    }

    /// <summary>Makes the library's shuffling generator (<see cref="RandomState.Generator"/>) the chief's on every rank.</summary>
    public static void BroadcastShuffleGenerator(ICommunicator comm)
    {
        var gen = RandomState.Generator;
        using var state = gen.get_state();
        using var copy = state.contiguous().clone();
        comm.Broadcast(copy, 0);
        gen.set_state(copy);
    }

    /// <summary>Throws a clear error when the ranks hold different numbers or sizes of tensors (different models).</summary>
    private static void CheckSameLayout(ICommunicator comm, IReadOnlyList<Tensor> tensors, string what)
    {
        if (comm.Size == 1) return;
        // Count and total size, plus a position-weighted size sum that differs when shapes are permuted.
        double count = tensors.Count, total = 0, weighted = 0;
        for (int i = 0; i < tensors.Count; i++) { total += tensors[i].numel(); weighted += (i + 1.0) * tensors[i].numel(); }
        using var mine = torch.tensor(new[] { count, total, weighted });
        using var sum = mine.clone();
        comm.AllReduceSum(sum);
        var s = sum.data<double>().ToArray();
        if (s[0] != count * comm.Size || s[1] != total * comm.Size || s[2] != weighted * comm.Size)
            throw new DistributedTrainingException(
                $"Rank {comm.Rank} holds {count} tensors with {total} values in the {what}, which differs from another rank: " +
                "every rank must build the same model (same code, same input shapes) before training.");
    }
}
