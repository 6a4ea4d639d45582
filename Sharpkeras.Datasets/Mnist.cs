using System.Reflection;
using Sharpkeras.Data;
using Sharpkeras.Datasets.Formats;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>
/// The MNIST handwritten digits (Keras's <c>keras.datasets.mnist</c>): 60,000 training and 10,000 test
/// grayscale 28×28 images of the digits 0–9.
/// </summary>
/// <remarks>
/// Without <c>path</c>, the data comes from the cache <c>~/.sharpkeras/datasets/mnist/</c> (the four IDX files,
/// or Keras's <c>mnist.npz</c>), downloading <c>mnist.npz</c> from Keras's mirror (SHA-256 pinned from Keras's
/// source) when neither is there. When the download is impossible (offline), it falls back to the embedded
/// MNIST-10k subset — 10,000 real MNIST digits (8,000 train / 2,000 test, MIT licence, see
/// <c>Resources/mnist-10k/README.md</c>) — and says so in one line, so examples run offline.
/// MNIST is by Yann LeCun, Corinna Cortes and Christopher Burges (CC BY-SA 3.0).
/// </remarks>
public static class Mnist
{
    /// <summary>Keras's mirror of MNIST as one NumPy archive.</summary>
    public const string Origin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz";

    /// <summary>SHA-256 of <c>mnist.npz</c>, from Keras's <c>keras/src/datasets/mnist.py</c>.</summary>
    public const string FileHash = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1";

    /// <summary>
    /// Loads MNIST: <c>var ((xTrain, yTrain), (xTest, yTest)) = Mnist.LoadData();</c> with x uint8 (N, 28, 28)
    /// in [0, 255] and y int64 (N) in [0, 9].
    /// </summary>
    /// <param name="path">A folder holding the four files as published (<c>train-images-idx3-ubyte.gz</c>,
    /// <c>train-labels-idx1-ubyte.gz</c>, <c>t10k-images-idx3-ubyte.gz</c>, <c>t10k-labels-idx1-ubyte.gz</c>, gzipped
    /// or not) or Keras's <c>mnist.npz</c>, or the path of that <c>mnist.npz</c>. Null uses the cache (see remarks).</param>
    /// <exception cref="InvalidDataException">A file is corrupt or truncated (the message names it).</exception>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> lacks the files.</exception>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadData(string? path = null)
    {
        if (path != null) return LoadPath(DatasetCache.CheckPath(path, "Mnist.LoadData"));
        string dir = DatasetCache.Dir("mnist");
        if (Directory.Exists(dir) && Idx.FileNames.All(f => Idx.Find(dir, f) != null)) return Idx.LoadFolder(dir, "MNIST");
        string npz;
        try
        {
            npz = Utils.GetFile("mnist.npz", Origin, FileHash, cacheSubdir: DatasetCache.Subdir("mnist"));
        }
        catch (IOException e)
        {
            Console.WriteLine("Using the embedded MNIST-10k subset (8,000 train / 2,000 test) because the full MNIST is not cached and could not be " +
                $"downloaded ({FirstSentence(e.Message)}); put mnist.npz from {Origin} in '{dir}' for all 70,000 digits.");
            return LoadEmbedded();
        }
        return LoadNpz(npz);
    }

    /// <summary>
    /// The embedded MNIST-10k subset: 10,000 real MNIST digits in a fixed random order, 8,000 for training and
    /// 2,000 for testing, same shapes and types as <see cref="LoadData"/> (x uint8 (N, 28, 28), y int64 (N)).
    /// </summary>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadEmbedded()
    {
        var asm = typeof(Mnist).Assembly;
        return Idx.Load(i => ReadResource(asm, Idx.FileNames[i]), i => "embedded mnist-10k/" + Idx.FileNames[i]);
    }

    private static byte[] ReadResource(Assembly asm, string file)
    {
        string name = "Sharpkeras.Datasets.mnist-10k." + file;
        using var s = asm.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from {asm.GetName().Name}.");
        return Idx.ReadStream(s, "embedded mnist-10k/" + file);
    }

    private static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadPath(string path)
    {
        if (File.Exists(path)) return LoadNpz(path);
        if (Idx.FileNames.All(f => Idx.Find(path, f) != null)) return Idx.LoadFolder(path, "MNIST");
        var npz = Path.Combine(path, "mnist.npz");
        if (File.Exists(npz)) return LoadNpz(npz);
        return Idx.LoadFolder(path, "MNIST"); // throws, naming the missing files
    }

    private static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadNpz(string file)
    {
        var a = Npz.Read(file, "x_train", "y_train", "x_test", "y_test");
        Tensor Labels(Tensor t)
        {
            var r = t.to(ScalarType.Int64);
            if (!ReferenceEquals(r, t)) t.Dispose();
            return r;
        }
        if (a["x_train"].shape[0] != a["y_train"].shape[0] || a["x_test"].shape[0] != a["y_test"].shape[0])
        {
            foreach (var t in a.Values) t.Dispose();
            throw new InvalidDataException($"'{file}': image and label counts differ.");
        }
        return ((a["x_train"], Labels(a["y_train"])), (a["x_test"], Labels(a["y_test"])));
    }

    internal static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }
}
