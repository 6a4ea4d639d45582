using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// Saves and restores an optimizer's state: <c>iterations</c>, and for every weight it updates each public
/// field of the wrapped <c>torch.optim</c> per-parameter state (Adam's <c>exp_avg</c>, <c>exp_avg_sq</c>,
/// <c>step</c>; SGD's <c>momentum_buffer</c>; …), named "weight_path/field". Tensors shaped like their
/// weight are stored in Keras's layout, like the weights. The optimizer's own state beside torch's — the EMA
/// <c>average</c> and the <c>gradient_accumulator</c> of each weight, when the optimizer keeps them — is saved as
/// "weight_path/average" and "weight_path/gradient_accumulator", in Keras's layout too.
/// </summary>
internal static class OptimizerStateStore
{
    public const string Iterations = "iterations";

    /// <summary>A LossScaleOptimizer's scale and counter, saved under Keras's variable names.</summary>
    public const string DynamicScale = "dynamic_scale", StepCounter = "step_counter";

    private static FieldInfo[] Fields(Type stateType) =>
        stateType.GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => f.MetadataToken).ToArray();

    private static ScalarType? ScalarTypeOf(Type t) =>
        t == typeof(long) ? ScalarType.Int64 : t == typeof(int) ? ScalarType.Int32 : t == typeof(double) ? ScalarType.Float64
        : t == typeof(float) ? ScalarType.Float32 : t == typeof(bool) ? ScalarType.Bool : null;

    private static List<TorchSharp.Modules.OptimizerState> States(Optimizers.Optimizer opt)
    {
        if (opt.TorchOptimizer is not TorchSharp.Modules.OptimizerHelper helper)
            throw new InvalidOperationException($"Optimizer '{opt.Name}' wraps {opt.TorchOptimizer?.GetType().Name}, whose state cannot be read.");
        var states = helper.state_dict().State;
        if (states.Count != opt.Variables.Count)
            throw new InvalidOperationException($"Optimizer '{opt.Name}' has {states.Count} parameter states for {opt.Variables.Count} weights.");
        return states;
    }

    /// <summary>CPU copies of the optimizer's state, named under <paramref name="prefix"/> (the caller disposes them).</summary>
    public static List<(string Name, Tensor Value)> Collect(Optimizers.Optimizer opt, Layer model, string prefix)
    {
        var list = new List<(string, Tensor)> { (prefix + Iterations, torch.tensor(opt.Iterations)) };
        if (!opt.Built) return list;
        if (opt is Optimizers.LossScaleOptimizer { DynamicScale: { } scale, StepCounter: { } counter })
        {
            list.Add((prefix + DynamicScale, scale.detach().cpu().clone()));
            list.Add((prefix + StepCounter, counter.detach().cpu().clone()));
        }
        var pathOf = new Dictionary<KerasVariable, string>(ReferenceEqualityComparer.Instance);
        foreach (var (path0, v0) in WeightStore.Paths(model)) pathOf[v0] = path0;
        var states = States(opt);
        using var _ = torch.no_grad();
        for (int i = 0; i < states.Count; i++)
        {
            var v = opt.Variables[i];
            var path = pathOf.TryGetValue(v, out var p) ? p : throw new InvalidOperationException(
                $"Optimizer '{opt.Name}' updates weight '{v.Path}', which is not a weight of model '{model.Name}'.");
            foreach (var f in Fields(states[i].GetType()))
            {
                var value = f.GetValue(states[i]);
                string name = $"{prefix}{path}/{f.Name}";
                switch (value)
                {
                    case null: break;
                    case Tensor t:
                        list.Add((name, ToKeras(t.detach(), v).cpu().contiguous().clone()));
                        break;
                    case long l: list.Add((name, torch.tensor(l))); break;
                    case int n: list.Add((name, torch.tensor(n))); break;
                    case double d: list.Add((name, torch.tensor(d))); break;
                    case float fl: list.Add((name, torch.tensor(fl))); break;
                    case bool b: list.Add((name, torch.tensor(b))); break;
                    default:
                        throw new InvalidOperationException(
                            $"Optimizer '{opt.Name}': the state field '{f.Name}' of type {f.FieldType.Name} cannot be saved.");
                }
            }
            foreach (var (extra, values) in opt.ExtraState())
                if (values[i] is Tensor t)
                    list.Add(($"{prefix}{path}/{extra}", ToKeras(t.detach(), v).cpu().contiguous().clone()));
        }
        return list;
    }

    private static Tensor ToKeras(Tensor t, KerasVariable v) =>
        t.shape.SequenceEqual(v.Value.shape) ? v.InKerasLayout(t) : t;

    /// <summary>
    /// Validates the saved state (<paramref name="entries"/>: name without prefix → tensor) against the optimizer
    /// — built here for the model's trainable weights if needed — and returns the action that applies it.
    /// <paramref name="fileToVariable"/> maps the weight names of the same save to the model's weights.
    /// Throws <see cref="InvalidDataException"/> when the state does not fit; nothing is changed then.
    /// </summary>
    public static Action Prepare(Optimizers.Optimizer opt, Layer model, IReadOnlyDictionary<string, Tensor> entries,
        IReadOnlyDictionary<string, KerasVariable> fileToVariable, string source)
    {
        if (!entries.TryGetValue(Iterations, out var it) || it.dim() != 0 || it.dtype != ScalarType.Int64)
            throw new InvalidDataException($"{source}: the optimizer state needs an int64 scalar 'iterations'.");
        long iterations = it.item<long>();
        if (iterations < 0) throw new InvalidDataException($"{source}: 'iterations' is negative ({iterations}).");
        if (!opt.Built) opt.Build(model.TrainableWeights);
        var varToFile = new Dictionary<KerasVariable, string>(ReferenceEqualityComparer.Instance);
        foreach (var (fileName, variable) in fileToVariable) varToFile[variable] = fileName;
        var states = States(opt);
        var used = new HashSet<string>(StringComparer.Ordinal) { Iterations };
        var actions = new List<Action>();
        for (int i = 0; i < states.Count; i++)
        {
            var v = opt.Variables[i];
            var state = states[i];
            if (!varToFile.TryGetValue(v, out var path))
                throw new InvalidDataException($"{source}: the optimizer updates weight '{v.Path}', which the file does not name.");
            var param = v.Value;
            foreach (var f in Fields(state.GetType()))
            {
                string name = $"{path}/{f.Name}";
                var current = f.GetValue(state);
                bool has = entries.TryGetValue(name, out var saved);
                if (f.FieldType == typeof(Tensor))
                {
                    var cur = (Tensor?)current;
                    if (!has)
                    {
                        if (cur is not null) throw new InvalidDataException($"{source}: the optimizer state '{name}' is missing.");
                        continue;
                    }
                    used.Add(name);
                    var torchShape = cur?.shape ?? param.shape;
                    var dtype = cur?.dtype ?? param.dtype;
                    bool permuted = v.KerasToTorchPermutation != null && torchShape.SequenceEqual(param.shape);
                    var fileShape = permuted ? v.KerasShape : torchShape;
                    if (!saved!.shape.SequenceEqual(fileShape) || saved.dtype != dtype)
                        throw new InvalidDataException(
                            $"{source}: the optimizer state '{name}' should be {Layer.DTypeName(dtype)} of shape ({string.Join(", ", fileShape)}), " +
                            $"got {Layer.DTypeName(saved.dtype)} of shape ({string.Join(", ", saved.shape)}).");
                    var value = saved;
                    var field = f;
                    actions.Add(() =>
                    {
                        using var _ = torch.no_grad();
                        var t = permuted ? v.InTorchLayout(value) : value;
                        if (cur is not null) cur.copy_(t);
                        else field.SetValue(state, t.to(param.device).contiguous().clone().DetachFromDisposeScope());
                    });
                }
                else if (ScalarTypeOf(f.FieldType) is ScalarType st)
                {
                    if (!has || saved!.dim() != 0 || saved.dtype != st)
                        throw new InvalidDataException($"{source}: the optimizer state '{name}' should be a {Layer.DTypeName(st)} scalar.");
                    used.Add(name);
                    object boxed = st switch
                    {
                        ScalarType.Int64 => saved.item<long>(), ScalarType.Int32 => saved.item<int>(), ScalarType.Float64 => saved.item<double>(),
                        ScalarType.Float32 => saved.item<float>(), _ => saved.item<bool>(),
                    };
                    var field = f;
                    actions.Add(() => field.SetValue(state, boxed));
                }
                else if (current is not null)
                    throw new InvalidDataException($"{source}: the optimizer state field '{f.Name}' of type {f.FieldType.Name} cannot be restored.");
            }
            foreach (var (extra, values) in opt.ExtraState())
            {
                if (values[i] is not Tensor cur) continue;
                string name = $"{path}/{extra}";
                if (!entries.TryGetValue(name, out var saved))
                    throw new InvalidDataException($"{source}: the optimizer state '{name}' is missing (the optimizer keeps '{extra}' variables; was the file saved by an optimizer without them?).");
                used.Add(name);
                if (!saved.shape.SequenceEqual(v.KerasShape) || saved.dtype != cur.dtype)
                    throw new InvalidDataException(
                        $"{source}: the optimizer state '{name}' should be {Layer.DTypeName(cur.dtype)} of shape ({string.Join(", ", v.KerasShape)}), " +
                        $"got {Layer.DTypeName(saved.dtype)} of shape ({string.Join(", ", saved.shape)}).");
                var value = saved;
                actions.Add(() =>
                {
                    using var _ = torch.no_grad();
                    cur.copy_(v.InTorchLayout(value));
                });
            }
        }
        if (opt is Optimizers.LossScaleOptimizer { DynamicScale: { } scale, StepCounter: { } counter })
        {
            foreach (var (key, target) in new[] { (DynamicScale, scale), (StepCounter, counter) })
            {
                // Older saves have no loss-scale state: the optimizer then starts from its initial scale.
                if (!entries.TryGetValue(key, out var saved)) continue;
                if (saved.dim() != 0 || saved.dtype != target.dtype)
                    throw new InvalidDataException($"{source}: the optimizer state '{key}' should be a {Layer.DTypeName(target.dtype)} scalar.");
                used.Add(key);
                actions.Add(() => { using var _ = torch.no_grad(); target.copy_(saved); });
            }
        }
        var unused = entries.Keys.FirstOrDefault(k => !used.Contains(k));
        if (unused != null) throw new InvalidDataException($"{source}: unexpected optimizer state entry '{unused}' (the optimizer has no such state).");
        return () =>
        {
            foreach (var a in actions) a();
            opt.Iterations = iterations;
        };
    }
}
