using System.Text.Json;
using NUnit.Framework;
using PureHDF;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Saving;

/// <summary>
/// The .keras fixtures written by Saving/KerasFixtures/make_keras_fixtures.py in Keras 3's layout, with the inputs
/// and the outputs numpy computed from the layers' definitions (expected.json).
/// </summary>
internal static class KerasFixtureUtil
{
    public static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Saving", "KerasFixtures", name);

    private static Tensor ReadTensor(JsonElement values, JsonElement shape, string dtype)
    {
        var dims = shape.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var flat = new List<double>();
        void Walk(JsonElement j)
        {
            if (j.ValueKind == JsonValueKind.Array) foreach (var c in j.EnumerateArray()) Walk(c);
            else flat.Add(j.GetDouble());
        }
        Walk(values);
        return dtype == "int64"
            ? torch.tensor(flat.Select(v => (long)v).ToArray(), dims)
            : torch.tensor(flat.Select(v => (float)v).ToArray(), dims);
    }

    /// <summary>The inputs and expected outputs of fixture <paramref name="name"/> (lists when it has several).</summary>
    public static (Tensor[] X, Tensor[] Y) Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));
        var e = doc.RootElement.GetProperty(name);
        var xShape = e.GetProperty("x_shape");
        bool multiX = xShape[0].ValueKind == JsonValueKind.Array;
        bool multiY = e.GetProperty("y_shape")[0].ValueKind == JsonValueKind.Array;
        string DType(int i) => !e.TryGetProperty("x_dtype", out var d) ? "float32" : d.ValueKind == JsonValueKind.Array ? d[i].GetString()! : d.GetString()!;
        var x = multiX
            ? Enumerable.Range(0, xShape.GetArrayLength()).Select(i => ReadTensor(e.GetProperty("x")[i], xShape[i], DType(i))).ToArray()
            : [ReadTensor(e.GetProperty("x"), xShape, DType(0))];
        var yShape = e.GetProperty("y_shape");
        var y = multiY
            ? Enumerable.Range(0, yShape.GetArrayLength()).Select(i => ReadTensor(e.GetProperty("y")[i], yShape[i], "float32")).ToArray()
            : [ReadTensor(e.GetProperty("y"), yShape, "float32")];
        return (x, y);
    }

    /// <summary>Every group and dataset of an HDF5 file: "G path name-attribute" and "D path (shape)" lines, sorted.</summary>
    public static List<string> Layout(Stream h5)
    {
        using var file = H5File.Open(h5, leaveOpen: true);
        var lines = new List<string>();
        void Walk(IH5Group g, string path)
        {
            foreach (var child in g.Children())
            {
                string p = path.Length == 0 ? child.Name : path + "/" + child.Name;
                if (child is IH5Dataset ds)
                    lines.Add($"D {p} ({string.Join(", ", ds.Space.Type == H5DataspaceType.Scalar ? [] : ds.Space.Dimensions)})");
                else if (child is IH5Group cg)
                {
                    if (child.Name == "vars")
                        lines.Add($"G {p} {(cg.AttributeExists("name") ? cg.Attribute("name").Read<string>() : "-")}");
                    Walk(cg, p);
                }
            }
        }
        Walk(file, "");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
