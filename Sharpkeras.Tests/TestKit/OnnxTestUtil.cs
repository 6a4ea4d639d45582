using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Sharpkeras.Tests.Onnx;

/// <summary>Helpers of the ONNX export tests: run an exported file in ONNX Runtime and compare it with Predict.</summary>
internal static class OnnxTestUtil
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "sharpkeras-onnx-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Token ids in [1, vocab) right-padded with zeros: row i keeps <c>1 + (i·stride mod steps)</c> tokens.</summary>
    public static Tensor Padded(int n, int steps, int vocab, int stride)
    {
        var x = torch.randint(1, vocab, [n, steps], dtype: ScalarType.Int64);
        for (int i = 0; i < n; i++)
        {
            int len = 1 + i * stride % steps;
            if (len < steps) x[i, len..] = torch.tensor(0L);
        }
        return x;
    }

    private static NamedOnnxValue Input(string name, Tensor x)
    {
        var dims = x.shape.Select(d => (int)d).ToArray();
        var c = x.contiguous();
        return x.dtype switch
        {
            ScalarType.Int64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(c.data<long>().ToArray(), dims)),
            ScalarType.Int32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(c.data<int>().ToArray(), dims)),
            ScalarType.Bool => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(c.data<bool>().ToArray(), dims)),
            _ => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(c.to(ScalarType.Float32).data<float>().ToArray(), dims)),
        };
    }

    /// <summary>Runs <paramref name="path"/> in ONNX Runtime on <paramref name="inputs"/> (in the graph's input order); returns every output as float32.</summary>
    public static Tensor[] Run(string path, params Tensor[] inputs)
    {
        using var session = new InferenceSession(path);
        var names = session.InputMetadata.Keys.ToArray();
        Assert.That(names, Has.Length.EqualTo(inputs.Length), "number of graph inputs");
        using var results = session.Run(names.Select((n, i) => Input(n, inputs[i])).ToArray());
        return results.Select(r =>
        {
            var v = (DisposableNamedOnnxValue)r;
            long[] Dims(ReadOnlySpan<int> d) => d.ToArray().Select(x => (long)x).ToArray();
            return v.ElementType switch
            {
                TensorElementType.Int64 => torch.tensor(v.AsTensor<long>().ToArray(), Dims(v.AsTensor<long>().Dimensions)).to(ScalarType.Float32),
                TensorElementType.Bool => torch.tensor(v.AsTensor<bool>().ToArray(), Dims(v.AsTensor<bool>().Dimensions)).to(ScalarType.Float32),
                _ => torch.tensor(v.AsTensor<float>().ToArray(), Dims(v.AsTensor<float>().Dimensions)),
            };
        }).ToArray();
    }

    /// <summary>Max |a − b| over two tensors of the same shape.</summary>
    public static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.That(a.shape, Is.EqualTo(b.shape), "output shape");
        return a.numel() == 0 ? 0 : (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();
    }

    /// <summary>
    /// Exports <paramref name="model"/> to <paramref name="dir"/> and returns the largest difference between ONNX
    /// Runtime and Predict over every output and every batch (each batch: the model's inputs).
    /// </summary>
    public static double ExportAndCompare(Model model, string dir, params Tensor[][] batches)
    {
        var path = Path.Combine(dir, model.Name + ".onnx");
        model.ExportOnnx(path);
        double worst = 0;
        foreach (var inputs in batches)
        {
            var onnx = Run(path, inputs);
            var predicted = model.PredictOnBatch(inputs);
            Assert.That(onnx, Has.Length.EqualTo(predicted.Length), "number of outputs");
            for (int i = 0; i < onnx.Length; i++) worst = Math.Max(worst, MaxDiff(onnx[i], predicted[i]));
        }
        TestContext.Out.WriteLine($"{model.Name}: max |ONNX Runtime - Predict| = {worst:E2}");
        return worst;
    }

    /// <summary>Gives every weight non-trivial values (moving variances stay positive).</summary>
    public static void Randomize(Model model, double scale = 0.3)
    {
        using var _ = torch.no_grad();
        foreach (var v in model.Variables)
        {
            if (!torch.is_floating_point(v.Value)) continue;
            v.Assign(v.Name is "moving_variance" or "variance" ? torch.rand(v.KerasShape) + 0.5 : torch.randn(v.KerasShape) * scale);
        }
    }
}
