using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Saving;

/// <summary>Helpers shared by the saving tests: temp folders, an independent safetensors reader, zip rewriting.</summary>
internal static class SavingTestUtil
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "sharpkeras-saving-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A minimal safetensors reader written from the format description, independent of the library's.</summary>
    public static (JsonDocument header, long dataStart, byte[] file) ReadRaw(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0, 8));
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)n));
        return (header, 8 + (long)n, file);
    }

    /// <summary>The float32 values of tensor <paramref name="name"/> read straight from the bytes.</summary>
    public static (long[] shape, float[] values) RawF32(byte[] file, string name)
    {
        var (header, dataStart, _) = ReadRaw(file);
        using (header)
        {
            var e = header.RootElement.GetProperty(name);
            Assert.That(e.GetProperty("dtype").GetString(), Is.EqualTo("F32"));
            var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var off = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var values = new float[(off[1] - off[0]) / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + off[0] + 4 * i), 4));
            return (shape, values);
        }
    }

    /// <summary>Writes a safetensors file from a header JSON text and data bytes, exactly as given.</summary>
    public static void WriteRawSafeTensors(string path, string headerJson, byte[] data, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(headerJson);
        using var fs = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, declaredLength ?? (ulong)h.Length);
        fs.Write(len);
        fs.Write(h);
        fs.Write(data);
    }

    /// <summary>The entries of a zip file (name → bytes), in order.</summary>
    public static List<(string Name, byte[] Data)> ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            return (e.FullName, ms.ToArray());
        }).ToList();
    }

    public static void WriteZip(string path, IEnumerable<(string Name, byte[] Data)> entries)
    {
        if (File.Exists(path)) File.Delete(path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(data);
        }
    }

    /// <summary>The compact JSON text of an element (the files are written indented).</summary>
    public static string Compact(JsonElement e) => System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText())!.ToJsonString();

    public static bool BitEqual(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.cpu().contiguous().bytes.SequenceEqual(b.cpu().contiguous().bytes);

    public static void AssertWeightsBitEqual(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        Assert.That(b.Count, Is.EqualTo(a.Count), "weight count");
        for (int i = 0; i < a.Count; i++)
            Assert.That(BitEqual(a[i], b[i]), Is.True, $"weight {i} differs");
    }

    public static Sequential SmallSequential(int inputs = 4, int classes = 3)
    {
        var m = new Sequential(
            new Dense(8, activation: "relu", inputShape: [inputs]),
            new Dropout(0.5),
            new Dense(classes, activation: "softmax"));
        return m;
    }
}

/// <summary>A registered two-input layer: the element-wise sum (stands in for a merge layer).</summary>
[RegisterSerializable("SavingTests")]
public sealed class SumTwo : Layer
{
    public SumTwo(string? name = null) : base(name) { }

    public override Tensor Call(Tensor[] inputs, bool training) => inputs[0] + inputs[1];

    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
        => [(inputShapes[0], DType)];
}

/// <summary>A registered layer with a weight stored in a permuted (torch) layout, like a conv kernel.</summary>
[RegisterSerializable("SavingTests")]
public sealed class PermutedKernel : Layer
{
    private KerasVariable? _kernel;

    public PermutedKernel(int units, string? name = null) : base(name) => Units = units;

    public int Units { get; }

    public KerasVariable Kernel => _kernel!;

    public override void Build(int?[] inputShape)
    {
        // Keras shape (2, in, units) stored as (units, in, 2).
        _kernel = AddWeight("kernel", [2, inputShape[^1]!.Value, Units], "glorot_uniform", kerasToTorchPermutation: [2, 1, 0]);
    }

    public override Tensor Call(Tensor inputs, bool training)
    {
        var k = _kernel!.Value.permute(2, 1, 0); // back to (2, in, units)
        return inputs.matmul(k[0]) + inputs.matmul(k[1]).tanh();
    }

    public override int?[] ComputeOutputShape(int?[] inputShape) => [.. inputShape[..^1], Units];

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        return c;
    }
}

/// <summary>A registered subclassed model.</summary>
[RegisterSerializable("SavingTests")]
public sealed class TwoTowerNet : Model
{
    private readonly Dense _hidden;
    private readonly Dense _out;
    private readonly Dropout _drop;

    public TwoTowerNet(int units, string? name = null) : base(name)
    {
        Units = units;
        _hidden = new Dense(units, activation: "tanh");
        _drop = new Dropout(0.2, seed: 5);
        _out = new Dense(2);
    }

    public int Units { get; }

    public override Tensor Call(Tensor inputs, bool training) =>
        _out.Apply(_drop.Apply(_hidden.Apply(inputs, training), training), training);

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        return c;
    }
}

/// <summary>A subclassed model that is deliberately NOT registered.</summary>
public sealed class UnregisteredNet : Model
{
    private readonly Dense _d;

    public UnregisteredNet(string? name = null) : base(name) => _d = new Dense(2);

    public override Tensor Call(Tensor inputs, bool training) => _d.Apply(inputs, training);
}

/// <summary>Another unregistered model, registered by a call in one test.</summary>
public sealed class RegisteredByCallNet : Model
{
    private readonly Dense _d;

    public RegisteredByCallNet(string? name = null) : base(name) => _d = new Dense(2);

    public override Tensor Call(Tensor inputs, bool training) => _d.Apply(inputs, training);
}

/// <summary>A registered learning-rate schedule (the built-in schedules live elsewhere).</summary>
[RegisterSerializable("SavingTests")]
public sealed class HalvingSchedule(double initialLearningRate, long halveEvery) : Sharpkeras.Optimizers.Schedules.LearningRateSchedule
{
    public double InitialLearningRate { get; } = initialLearningRate;

    public long HalveEvery { get; } = halveEvery;

    public override double Evaluate(long step) => InitialLearningRate * Math.Pow(0.5, step / HalveEvery);

    public override Dictionary<string, object?> GetConfig() =>
        new() { ["initial_learning_rate"] = InitialLearningRate, ["halve_every"] = HalveEvery };
}

/// <summary>A layer whose config cannot be saved (it holds a function).</summary>
public sealed class UnsavableLayer : Layer
{
    public UnsavableLayer(string? name = null) : base(name) { }

    public override Tensor Call(Tensor inputs, bool training) => inputs;

    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["fn"] = (Func<int, int>)(x => x + 1);
        return c;
    }
}
