using Sharpkeras.Data;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>Fashion-MNIST (Keras's <c>keras.datasets.fashion_mnist</c>): uint8 images (N, 28, 28), int64 labels 0–9.</summary>
public static class FashionMnist
{
    /// <summary>Keras's origin folder of the four IDX files.</summary>
    public const string OriginFolder = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

    /// <summary>
    /// Loads ((xTrain, yTrain), (xTest, yTest)) from <paramref name="path"/> (a folder with the four IDX gz files) or the
    /// cache <c>~/.sharpkeras/datasets/fashion-mnist</c>, downloading missing files.
    /// </summary>
    public static ((Tensor, Tensor), (Tensor, Tensor)) LoadData(string? path = null)
    {
        if (path != null)
        {
            if (!MnistFormat.HasIdx(path))
                throw new FileNotFoundException($"Fashion-MNIST: {path} must hold {string.Join(", ", MnistFormat.Files)}.");
            return MnistFormat.FromIdx(path);
        }
        var dir = Path.Combine(Utils.CacheRoot, "fashion-mnist");
        foreach (var f in MnistFormat.Files) Utils.GetFile(f, OriginFolder + f, cacheDir: dir);
        return MnistFormat.FromIdx(dir);
    }
}
