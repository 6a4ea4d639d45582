using Sharpkeras.Data;
using Sharpkeras.Datasets.Formats;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>
/// Fashion-MNIST (Keras's <c>keras.datasets.fashion_mnist</c>): 60,000 training and 10,000 test grayscale 28×28
/// images of 10 kinds of clothing (0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
/// 7 Sneaker, 8 Bag, 9 Ankle boot). © Zalando SE, MIT licence.
/// </summary>
/// <remarks>
/// Without <c>path</c>, the four IDX files are read from the first of: the cache
/// <c>~/.sharpkeras/datasets/fashion-mnist/</c> when it holds all four; the system-wide copy installed by
/// Debian's / Ubuntu's package <c>dataset-fashion-mnist</c> (<c>apt-get install dataset-fashion-mnist</c>, which puts
/// them in <see cref="SystemFolder"/>); otherwise they are downloaded into the cache from Keras's mirror and checked
/// against the SHA-256 hashes pinned in Keras's <c>keras/src/datasets/fashion_mnist.py</c>. (Debian recompressed
/// the files, so its copies have other hashes; the IDX reader checks their headers and sizes.)
/// </remarks>
public static class FashionMnist
{
    /// <summary>Keras's mirror of the four files.</summary>
    public const string OriginFolder = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/";

    /// <summary>Where Debian's package <c>dataset-fashion-mnist</c> installs the four files.</summary>
    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The system folders searched after the cache (tests point this elsewhere).</summary>
    internal static string[] SystemFolders { get; set; } = [SystemFolder];

    /// <summary>
    /// The folder <see cref="LoadData"/> reads without <c>path</c> when the cache lacks the files and the package
    /// is installed, or null.
    /// </summary>
    public static string? InstalledFolder() =>
        SystemFolders.FirstOrDefault(d => Directory.Exists(d) && Idx.FileNames.All(f => Idx.Find(d, f) != null));

    private static readonly Dictionary<string, string> Hashes = new()
    {
        ["train-labels-idx1-ubyte.gz"] = "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ["train-images-idx3-ubyte.gz"] = "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ["t10k-labels-idx1-ubyte.gz"] = "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ["t10k-images-idx3-ubyte.gz"] = "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    };

    /// <summary>
    /// Loads Fashion-MNIST: <c>var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.LoadData();</c> with x uint8
    /// (N, 28, 28) and y int64 (N) in [0, 9].
    /// </summary>
    /// <param name="path">A folder holding the four IDX files as published (gzipped or not); null uses the cache.</param>
    /// <exception cref="IOException">The files are neither cached nor installed and cannot be downloaded (the message says which file to put where).</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or truncated (the message names it).</exception>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadData(string? path = null)
    {
        if (path != null)
        {
            path = DatasetCache.CheckPath(path, "FashionMnist.LoadData");
            return Idx.LoadFolder(path, "Fashion-MNIST");
        }
        string dir = DatasetCache.Dir("fashion-mnist");
        if (Directory.Exists(dir) && Idx.FileNames.All(f => Idx.Find(dir, f) is { } p && !p.EndsWith(".gz", StringComparison.Ordinal)))
            return Idx.LoadFolder(dir, "Fashion-MNIST"); // uncompressed files placed by hand
        bool cached = Directory.Exists(dir) && Idx.FileNames.All(f => Idx.Find(dir, f) != null);
        if (!cached && InstalledFolder() is { } installed)
            return Idx.LoadFolder(installed, "Fashion-MNIST");
        string[] files;
        try
        {
            files = Idx.FileNames
                .Select(f => Utils.GetFile(f, OriginFolder + f, Hashes[f], cacheSubdir: DatasetCache.Subdir("fashion-mnist")))
                .ToArray();
        }
        catch (IOException e)
        {
            throw new IOException($"{e.Message} On Debian or Ubuntu, 'apt-get install dataset-fashion-mnist' installs the files in {SystemFolder}.", e);
        }
        return Idx.Load(i => Idx.ReadFile(files[i]), i => files[i]);
    }
}
