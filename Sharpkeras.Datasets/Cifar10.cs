using Sharpkeras.Datasets.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>
/// CIFAR-10 (Keras's <c>keras.datasets.cifar10</c>): 50,000 training and 10,000 test 32×32 colour images in 10
/// classes (0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck).
/// </summary>
/// <remarks>
/// Read from the official binary tarball <c>cifar-10-binary.tar.gz</c> (Keras uses the Python-pickle tarball;
/// the pixels and labels are the same). Without <c>path</c> it is taken from the cache
/// <c>~/.sharpkeras/datasets/cifar-10/</c>, downloaded from www.cs.toronto.edu when missing and checked against
/// the MD5 published on the CIFAR page (c32a1d4ab5d03f1284b67883e8d87530; no SHA-256 is published for the
/// binary version). Labels are int64 of shape (N) (Keras returns uint8 (N, 1)).
/// </remarks>
public static class Cifar10
{
    /// <summary>The official binary tarball.</summary>
    public const string Origin = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";

    /// <summary>MD5 of the tarball as published on https://www.cs.toronto.edu/~kriz/cifar.html.</summary>
    public const string FileHash = "c32a1d4ab5d03f1284b67883e8d87530";

    private const string TarName = "cifar-10-binary.tar.gz";
    private const string Folder = "cifar-10-batches-bin";
    private static readonly string[] Members = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];

    /// <summary>
    /// Loads CIFAR-10: <c>var ((xTrain, yTrain), (xTest, yTest)) = Cifar10.LoadData();</c> with x uint8
    /// (N, 32, 32, 3) (channels_last; (N, 3, 32, 32) when <c>Keras.Config.ImageDataFormat</c> is channels_first)
    /// and y int64 (N) in [0, 9].
    /// </summary>
    /// <param name="path">The tarball, a folder holding it, or its extracted <c>cifar-10-batches-bin</c> folder (or a folder
    /// holding that); null uses the cache.</param>
    /// <exception cref="IOException">Not cached and cannot be downloaded (the message says which file to put where).</exception>
    /// <exception cref="InvalidDataException">The archive or a batch file is corrupt or truncated (the message names it).</exception>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadData(string? path = null)
    {
        Dictionary<string, (byte[] Data, string Name)> files;
        if (path != null)
        {
            path = DatasetCache.CheckPath(path, "Cifar10.LoadData");
            files = CifarBinary.ReadMembers(path, TarName, Folder, Members, "CIFAR-10")
                ?? throw new FileNotFoundException($"Cifar10.LoadData: '{path}' holds neither {TarName} nor the {Folder} folder ({string.Join(", ", Members)}).");
        }
        else files = CifarBinary.ReadFromCache("cifar-10", TarName, Folder, Origin, FileHash, Members, "CIFAR-10");

        using var scope = torch.NewDisposeScope();
        var train = Members[..5].Select(m => CifarBinary.Parse(files[m].Data, 1, 0, 10, files[m].Name)).ToArray();
        var test = CifarBinary.Parse(files["test_batch.bin"].Data, 1, 0, 10, files["test_batch.bin"].Name);
        var xTrain = torch.cat(train.Select(t => t.Images).ToArray(), 0);
        var yTrain = torch.cat(train.Select(t => t.Labels).ToArray(), 0);
        return ((xTrain.MoveToOuterDisposeScope(), yTrain.MoveToOuterDisposeScope()),
                (test.Images.MoveToOuterDisposeScope(), test.Labels.MoveToOuterDisposeScope()));
    }
}
