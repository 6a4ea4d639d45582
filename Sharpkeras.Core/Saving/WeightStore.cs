using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// Names a model's weights for weight files and matches a file's tensors back to the weights. A weight is
/// named by its layer path inside the model and its own name: "conv2d_1/kernel" for a layer of the model,
/// "block/dense/kernel" for a layer inside a nested layer or model. Values are stored in Keras's layout.
/// </summary>
internal static class WeightStore
{
    /// <summary>Every weight of <paramref name="model"/> with its path, in <c>Variables</c> order (shared weights once).</summary>
    public static List<(string Path, KerasVariable Variable)> Paths(Layer model)
    {
        var list = new List<(string, KerasVariable)>();
        var seen = new HashSet<KerasVariable>(ReferenceEqualityComparer.Instance);
        void Visit(Layer layer, string prefix)
        {
            foreach (var v in layer.OwnVariables.Where(v => v.DeclaredTrainable).Concat(layer.OwnVariables.Where(v => !v.DeclaredTrainable)))
                if (seen.Add(v)) list.Add((prefix + v.Name, v));
            foreach (var sub in layer.SubLayers) Visit(sub, prefix + sub.Name + "/");
        }
        // The model's own weights (a subclassed model's AddWeight) keep the model's name as their layer path.
        foreach (var v in model.OwnVariables.Where(v => v.DeclaredTrainable).Concat(model.OwnVariables.Where(v => !v.DeclaredTrainable)))
            if (seen.Add(v)) list.Add((v.Path, v));
        foreach (var sub in model.SubLayers) Visit(sub, sub.Name + "/");
        return list;
    }

    /// <summary>Every layer inside <paramref name="model"/> (depth first, the model excluded) with its path.</summary>
    public static List<(string Path, Layer Layer)> LayerPaths(Layer model)
    {
        var list = new List<(string, Layer)>();
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        void Visit(Layer layer, string path)
        {
            if (!seen.Add(layer)) return;
            list.Add((path, layer));
            foreach (var sub in layer.SubLayers) Visit(sub, path + "/" + sub.Name);
        }
        foreach (var sub in model.SubLayers) Visit(sub, sub.Name);
        return list;
    }

    /// <summary>CPU copies of the weights in Keras's layout, named by path (the caller disposes them).</summary>
    public static List<(string Name, Tensor Value)> Collect(Layer model, string prefix = "")
        => Paths(model).Select(p => (prefix + p.Path, p.Variable.ToKerasLayout())).ToList();

    private static string LastSegment(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static string Shape(long[] s) => "(" + string.Join(", ", s) + (s.Length == 1 ? ",)" : ")");

    /// <summary>
    /// Matches the file's tensors (in data order) to the model's weights: by path when the names agree,
    /// otherwise by position when the file has the same weights in the same order (same weight names and
    /// shapes, e.g. a subclassed model whose inner layers were named differently in another process).
    /// Checks every shape and type. Throws <see cref="ArgumentException"/> naming the weight, what the model
    /// expects and what the file has. Returns file name → variable; nothing is assigned.
    /// </summary>
    public static Dictionary<string, KerasVariable> Match(Layer model, IReadOnlyList<(string Name, Tensor Value)> file, string source)
    {
        var paths = Paths(model);
        var map = new Dictionary<string, KerasVariable>(StringComparer.Ordinal);
        var fileNames = new HashSet<string>(file.Select(f => f.Name), StringComparer.Ordinal);
        bool sameNames = paths.Count == file.Count && paths.All(p => fileNames.Contains(p.Path));
        if (sameNames)
        {
            var byName = file.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);
            foreach (var (path, v) in paths)
            {
                CheckValue(v, path, byName[path], source);
                map[path] = v;
            }
            return map;
        }
        bool samePositions = paths.Count == file.Count
            && paths.Zip(file).All(z => LastSegment(z.First.Path) == z.First.Variable.Name && LastSegment(z.Second.Name) == z.First.Variable.Name
                                        && z.Second.Value.shape.SequenceEqual(z.First.Variable.KerasShape));
        if (samePositions)
        {
            for (int i = 0; i < paths.Count; i++)
            {
                CheckValue(paths[i].Variable, paths[i].Path, file[i].Value, source);
                map[file[i].Name] = paths[i].Variable;
            }
            return map;
        }
        // Explain the first difference.
        if (paths.Count == 0)
            throw new ArgumentException(
                $"Model '{model.Name}' has no weights yet, but {source} holds {file.Count}. Build the model first (give it an input shape or call it on data).");
        var modelNames = new HashSet<string>(paths.Select(p => p.Path), StringComparer.Ordinal);
        var missing = paths.FirstOrDefault(p => !fileNames.Contains(p.Path));
        var extra = file.FirstOrDefault(f => !modelNames.Contains(f.Name));
        var byFileName = file.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);
        foreach (var (path, v) in paths)
            if (byFileName.TryGetValue(path, out var t) && !t.shape.SequenceEqual(v.KerasShape))
                throw new ArgumentException(
                    $"Weight '{path}' of model '{model.Name}' expects shape {Shape(v.KerasShape)}, but {source} has shape {Shape(t.shape)}.");
        throw new ArgumentException(
            $"The weights of model '{model.Name}' ({paths.Count}) do not match {source} ({file.Count})" +
            (missing.Path != null ? $": weight '{missing.Path}' {Shape(missing.Variable.KerasShape)} is missing from the file" : "") +
            (extra.Name != null ? $"{(missing.Path != null ? ", and" : ":")} the file has '{extra.Name}' {Shape(extra.Value.shape)}, which the model does not" : "") + ".");
    }

    private static void CheckValue(KerasVariable v, string path, Tensor t, string source)
    {
        if (!t.shape.SequenceEqual(v.KerasShape))
            throw new ArgumentException($"Weight '{path}' expects shape {Shape(v.KerasShape)}, but {source} has shape {Shape(t.shape)}.");
        var want = v.Value.dtype;
        if (t.dtype != want && !(t.dtype.IsFloat() && want.IsFloat()))
            throw new ArgumentException($"Weight '{path}' is {Layer.DTypeName(want)}, but {source} stores it as {Layer.DTypeName(t.dtype)}.");
    }

    /// <summary>Assigns matched values (after <see cref="Match"/> validated all of them).</summary>
    public static void Assign(Dictionary<string, KerasVariable> map, IReadOnlyList<(string Name, Tensor Value)> file)
    {
        foreach (var (name, value) in file)
            if (map.TryGetValue(name, out var v)) v.Assign(value);
    }
}
