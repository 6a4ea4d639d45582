using System.Reflection;
using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// Captures and restores every random generator that training on the CPU draws from: torch's global
/// generator (dropout, random ops), the library generator (<see cref="RandomState.Generator"/>: shuffling),
/// and the generators that layers keep in fields (e.g. a seeded Dropout).
/// </summary>
internal static class RngState
{
    public const string Torch = "torch";
    public const string Library = "library";

    private static List<(string Key, Layer Layer, FieldInfo Field)> LayerGenerators(Layer model)
    {
        var list = new List<(string, Layer, FieldInfo)>();
        foreach (var (path, layer) in WeightStore.LayerPaths(model).Prepend(("", model)))
            for (var t = layer.GetType(); t != null && t != typeof(Layer); t = t.BaseType)
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                             .Where(f => f.FieldType == typeof(torch.Generator)).OrderBy(f => f.MetadataToken))
                    if (f.GetValue(layer) is torch.Generator)
                        list.Add((path.Length == 0 ? $"model/{f.Name}" : $"layer/{path}/{f.Name}", layer, f));
        return list;
    }

    /// <summary>The current states, named under <paramref name="prefix"/>.</summary>
    public static List<(string Name, Tensor Value)> Capture(Layer model, string prefix)
    {
        var list = new List<(string, Tensor)>
        {
            (prefix + Torch, torch.random.get_rng_state()),
            (prefix + Library, RandomState.Generator.get_state()),
        };
        foreach (var (key, layer, f) in LayerGenerators(model))
            list.Add((prefix + key, ((torch.Generator)f.GetValue(layer)!).get_state()));
        return list;
    }

    private static void CheckState(Tensor saved, Tensor current, string name, string source)
    {
        if (saved.dtype != ScalarType.Byte || saved.dim() != 1 || saved.numel() != current.numel())
            throw new InvalidDataException(
                $"{source}: the random state '{name}' should be a uint8 vector of {current.numel()} bytes, got {Layer.DTypeName(saved.dtype)} of shape ({string.Join(", ", saved.shape)}).");
    }

    /// <summary>Validates saved states (name without prefix → tensor) and returns the action that restores them.</summary>
    public static Action Prepare(Layer model, IReadOnlyList<(string Name, Tensor Value)> list, string source, bool restoreLibrary = true)
    {
        var entries = list.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        var actions = new List<Action>();
        foreach (var key in new[] { Torch, Library })
            if (!entries.ContainsKey(key)) throw new InvalidDataException($"{source}: the random state '{key}' is missing.");
        using (var cur = torch.random.get_rng_state()) CheckState(entries[Torch], cur, Torch, source);
        using (var cur = RandomState.Generator.get_state()) CheckState(entries[Library], cur, Library, source);
        var torchState = entries[Torch];
        actions.Add(() => torch.random.set_rng_state(torchState));
        if (restoreLibrary)
        {
            var lib = entries[Library];
            actions.Add(() => RandomState.Generator.set_state(lib));
        }
        var gens = LayerGenerators(model);
        var saved = list.Where(e => e.Name.StartsWith("layer/", StringComparison.Ordinal) || e.Name.StartsWith("model/", StringComparison.Ordinal))
            .Select(e => new KeyValuePair<string, Tensor>(e.Name, e.Value)).ToList();
        bool byName = gens.Count == saved.Count && gens.All(g => entries.ContainsKey(g.Key));
        // Layers named differently in another process: match by position (same field names in the same order).
        bool byPosition = !byName && gens.Count == saved.Count
                          && gens.Zip(saved).All(z => z.First.Key[(z.First.Key.LastIndexOf('/') + 1)..] == z.Second.Key[(z.Second.Key.LastIndexOf('/') + 1)..]);
        if (!byName && !byPosition)
            throw new ArgumentException(
                $"{source}: the saved generators of layers ({string.Join(", ", saved.Select(s => s.Key))}) do not match model '{model.Name}' ({string.Join(", ", gens.Select(g => g.Key))}).");
        for (int i = 0; i < gens.Count; i++)
        {
            var (key, layer, f) = gens[i];
            var state = byName ? entries[key] : saved[i].Value;
            var gen = (torch.Generator)f.GetValue(layer)!;
            using (var cur = gen.get_state()) CheckState(state, cur, key, source);
            actions.Add(() => gen.set_state(state));
        }
        return () => { foreach (var a in actions) a(); };
    }
}
