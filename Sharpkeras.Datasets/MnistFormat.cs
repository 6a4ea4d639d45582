using System.Reflection;
using Sharpkeras.Data;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>Shared loading for MNIST-format datasets (four IDX gz files, or Keras's mnist.npz).</summary>
internal static class MnistFormat
{
    public static readonly string[] Files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    public static bool HasIdx(string dir) => Files.All(f => File.Exists(Path.Combine(dir, f)));

    public static ((Tensor, Tensor), (Tensor, Tensor)) FromIdx(string dir)
    {
        Tensor Img(string f) { var p = Path.Combine(dir, f); return Idx.Images(Idx.ReadAll(p), p); }
        Tensor Lab(string f) { var p = Path.Combine(dir, f); return Idx.Labels(Idx.ReadAll(p), p); }
        return Check((Img(Files[0]), Lab(Files[1])), (Img(Files[2]), Lab(Files[3])), dir);
    }

    public static ((Tensor, Tensor), (Tensor, Tensor)) FromNpz(string file)
    {
        var a = Npz.Read(file, "x_train", "y_train", "x_test", "y_test");
        return Check((a["x_train"].to(ScalarType.Byte), a["y_train"].to(ScalarType.Int64)), (a["x_test"].to(ScalarType.Byte), a["y_test"].to(ScalarType.Int64)), file);
    }

    public static ((Tensor, Tensor), (Tensor, Tensor)) FromEmbedded()
    {
        var asm = typeof(MnistFormat).Assembly;
        Tensor Read(string f, bool images)
        {
            var name = asm.GetManifestResourceNames().Single(n => n.EndsWith("mnist-10k." + f, StringComparison.Ordinal));
            using var s = asm.GetManifestResourceStream(name)!;
            var bytes = Idx.ReadAll(s, "embedded " + f, gz: true);
            return images ? Idx.Images(bytes, "embedded " + f) : Idx.Labels(bytes, "embedded " + f);
        }
        return ((Read(Files[0], true), Read(Files[1], false)), (Read(Files[2], true), Read(Files[3], false)));
    }

    private static ((Tensor, Tensor), (Tensor, Tensor)) Check((Tensor x, Tensor y) train, (Tensor x, Tensor y) test, string source)
    {
        if (train.x.shape[0] != train.y.shape[0] || test.x.shape[0] != test.y.shape[0])
            throw new InvalidDataException($"{source}: image and label counts differ (train {train.x.shape[0]} vs {train.y.shape[0]}, test {test.x.shape[0]} vs {test.y.shape[0]}).");
        return (train, test);
    }
}
