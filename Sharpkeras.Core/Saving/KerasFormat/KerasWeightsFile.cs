using PureHDF;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// Keras 3's HDF5 weights file (<c>model.weights.h5</c> inside a <c>.keras</c> archive, or a
/// <c>.weights.h5</c> file of <c>save_weights</c>): groups laid out by <see cref="KerasWeightLayout"/>, one
/// dataset per variable named by its index, values in Keras's layout. Reading treats the file as untrusted:
/// every dataset's shape and type are checked against the model before anything is read or assigned, and a
/// malformed or truncated file is reported as <see cref="InvalidDataException"/>.
/// </summary>
internal static class KerasWeightsFile
{
    /// <summary>Writes the weights of <paramref name="model"/> as an HDF5 file to <paramref name="stream"/>.</summary>
    public static void Write(Model model, Stream stream)
    {
        using var scope = torch.NewDisposeScope();
        var root = new H5File();
        H5Group Group(string path, string name)
        {
            H5Group group = root;
            foreach (var part in (path.Length == 0 ? "vars" : path + "/vars").Split('/'))
            {
                if (!group.TryGetValue(part, out var child)) group[part] = child = new H5Group();
                group = (H5Group)child;
            }
            group.Attributes = new Dictionary<string, object> { ["name"] = name };
            return group;
        }
        static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var entry in KerasWeightLayout.Entries(model))
        {
            var group = Group(entry.Path, entry.Name);
            for (int i = 0; i < entry.Variables.Count; i++) group[Index(i)] = Dataset(entry.Variables[i].ToKerasLayout());
        }
        // Keras saves the compiled model's optimizer too (its "optimizer" attribute), in save and in save_weights.
        if (model.Compiled && model.Optimizer is { } opt)
        {
            var group = Group("optimizer", opt.Name);
            var values = KerasOptimizerVariables.Collect(model, opt);
            for (int i = 0; i < values.Count; i++) group[Index(i)] = Dataset(values[i]);
        }
        root.Write(stream);
    }

    private static H5Dataset Dataset(Tensor value)
    {
        var dims = value.shape.Select(d => (ulong)d).ToArray();
        object data = value.dtype switch
        {
            ScalarType.Float64 => value.data<double>().ToArray(),
            ScalarType.Int64 => value.data<long>().ToArray(),
            ScalarType.Int32 => value.data<int>().ToArray(),
            ScalarType.Float32 => value.data<float>().ToArray(),
            _ => value.to(ScalarType.Float32).data<float>().ToArray(),
        };
        return new H5Dataset(data, fileDims: dims);
    }

    private static string Shape(IEnumerable<long> s)
    {
        var a = s.ToArray();
        return "(" + string.Join(", ", a) + (a.Length == 1 ? ",)" : ")");
    }

    /// <summary>
    /// Reads the values for every weight of <paramref name="model"/> from the HDF5 file in <paramref name="stream"/>
    /// and checks them; returns the assignments to make (nothing is assigned here). Groups the model has no use for
    /// (the optimizer's, metrics') are ignored, as Keras ignores them.
    /// </summary>
    public static List<(KerasVariable Variable, Tensor Value)> Read(Model model, Stream stream, string source)
    {
        var result = new List<(KerasVariable, Tensor)>();
        try
        {
            using var file = H5File.Open(stream, leaveOpen: true);
            foreach (var entry in KerasWeightLayout.Entries(model))
            {
                if (entry.Variables.Count == 0) continue; // an empty group may be absent (older files, other writers)
                string groupPath = entry.Path.Length == 0 ? "vars" : entry.Path + "/vars";
                // Files of Keras 2.13 name the layer lists "_layer_checkpoint_dependencies" (Keras's loader falls back too).
                if (!file.LinkExists(groupPath) && file.LinkExists("_layer_checkpoint_dependencies"))
                {
                    var legacy = groupPath.Replace("layers", "_layer_checkpoint_dependencies", StringComparison.Ordinal);
                    if (file.LinkExists(legacy)) groupPath = legacy;
                }
                string layerDesc = $"layer '{entry.Name}' ({(entry.Layer is null ? "?" : KerasNames.ClassName(entry.Layer.GetType()))})";
                if (!file.LinkExists(groupPath))
                    throw new InvalidDataException(
                        $"{source}: the weights of {layerDesc} ({entry.Variables.Count} variables) are missing: the file has no group '/{groupPath}'.");
                var group = file.Group(groupPath);
                var names = group.Children().Select(c => c.Name).ToList();
                if (names.Count != entry.Variables.Count)
                    throw new InvalidDataException(
                        $"{source}: {layerDesc} expects {entry.Variables.Count} variables, but the file's group '/{groupPath}' holds {names.Count} ({string.Join(", ", names)}).");
                for (int i = 0; i < entry.Variables.Count; i++)
                {
                    var v = entry.Variables[i];
                    string dsName = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    string at = $"'/{groupPath}/{dsName}' ({layerDesc} weight '{v.Name}')";
                    if (!group.LinkExists(dsName))
                        throw new InvalidDataException($"{source}: dataset {at} is missing.");
                    if (group.Get(dsName) is not IH5Dataset ds)
                        throw new InvalidDataException($"{source}: {at} is not a dataset.");
                    var dims = ds.Space.Type == H5DataspaceType.Scalar ? [] : ds.Space.Dimensions;
                    if (!dims.Select(d => (long)d).SequenceEqual(v.KerasShape) || dims.Any(d => d > long.MaxValue))
                        throw new InvalidDataException(
                            $"{source}: dataset {at} has shape {Shape(dims.Select(d => (long)Math.Min(d, (ulong)long.MaxValue)))}, but the model expects {Shape(v.KerasShape)}.");
                    result.Add((v, ReadValues(ds, v.KerasShape, at, source)));
                }
            }
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            foreach (var (_, t) in result) t.Dispose();
            throw new InvalidDataException($"{source}: the HDF5 weights file is malformed or truncated: {e.Message}", e);
        }
        catch
        {
            foreach (var (_, t) in result) t.Dispose();
            throw;
        }
        return result;
    }

    private static Tensor ReadValues(IH5Dataset ds, long[] shape, string at, string source)
    {
        var type = ds.Type;
        Tensor t = (type.Class, type.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 4) => torch.tensor(ds.Read<float[]>(), shape),
            (H5DataTypeClass.FloatingPoint, 8) => torch.tensor(ds.Read<double[]>(), shape),
            (H5DataTypeClass.FloatingPoint, 2) => torch.tensor(ds.Read<Half[]>().Select(h => (float)h).ToArray(), shape),
            (H5DataTypeClass.FixedPoint, 8) => torch.tensor(ds.Read<long[]>(), shape),
            (H5DataTypeClass.FixedPoint, 4) => torch.tensor(ds.Read<int[]>(), shape),
            _ => throw new InvalidDataException($"{source}: dataset {at} holds {type.Class} values of {type.Size} bytes; expected 16-, 32- or 64-bit floats or 32-/64-bit integers."),
        };
        return t;
    }

    /// <summary>Assigns values returned by <see cref="Read"/> and disposes them.</summary>
    public static void Assign(List<(KerasVariable Variable, Tensor Value)> values)
    {
        foreach (var (v, t) in values)
        {
            v.Assign(t);
            t.Dispose();
        }
    }
}
