using Sharpkeras.Datasets.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>
/// CIFAR-100 (Keras's <c>keras.datasets.cifar100</c>): 50,000 training and 10,000 test 32×32 colour images in 100
/// fine classes grouped into 20 coarse superclasses.
/// </summary>
/// <remarks>
/// Read from the official binary tarball <c>cifar-100-binary.tar.gz</c> (records: coarse label byte, fine label
/// byte, 3072 pixel bytes). Without <c>path</c> it is taken from the cache <c>~/.sharpkeras/datasets/cifar-100/</c>,
/// downloaded from www.cs.toronto.edu when missing and checked against the MD5 published on the CIFAR page
/// (03b5dce01913d631647c71ecec9e9cb8; no SHA-256 is published for the binary version).
/// </remarks>
public static class Cifar100
{
    /// <summary>The official binary tarball.</summary>
    public const string Origin = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";

    /// <summary>MD5 of the tarball as published on https://www.cs.toronto.edu/~kriz/cifar.html.</summary>
    public const string FileHash = "03b5dce01913d631647c71ecec9e9cb8";

    private const string TarName = "cifar-100-binary.tar.gz";
    private const string Folder = "cifar-100-binary";
    private static readonly string[] Members = ["train.bin", "test.bin"];

    /// <summary>
    /// Loads CIFAR-100: x uint8 (N, 32, 32, 3) (channels_last by default), y int64 (N) in [0, 99] for "fine" or
    /// [0, 19] for "coarse".
    /// </summary>
    /// <param name="labelMode">"fine" (100 classes) or "coarse" (20 superclasses).</param>
    /// <param name="path">The tarball, a folder holding it, or its extracted <c>cifar-100-binary</c> folder (or a folder
    /// holding that); null uses the cache.</param>
    /// <exception cref="IOException">Not cached and cannot be downloaded (the message says which file to put where).</exception>
    /// <exception cref="InvalidDataException">The archive or a data file is corrupt or truncated (the message names it).</exception>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadData(string labelMode = "fine", string? path = null)
    {
        if (labelMode is not ("fine" or "coarse"))
            throw new ArgumentException($"labelMode must be \"fine\" or \"coarse\"; got \"{labelMode}\".", nameof(labelMode));
        Dictionary<string, (byte[] Data, string Name)> files;
        if (path != null)
        {
            path = DatasetCache.CheckPath(path, "Cifar100.LoadData");
            files = CifarBinary.ReadMembers(path, TarName, Folder, Members, "CIFAR-100")
                ?? throw new FileNotFoundException($"Cifar100.LoadData: '{path}' holds neither {TarName} nor the {Folder} folder ({string.Join(", ", Members)}).");
        }
        else files = CifarBinary.ReadFromCache("cifar-100", TarName, Folder, Origin, FileHash, Members, "CIFAR-100");

        int labelIndex = labelMode == "coarse" ? 0 : 1;
        int classes = labelMode == "coarse" ? 20 : 100;
        using var scope = torch.NewDisposeScope();
        var train = CifarBinary.Parse(files["train.bin"].Data, 2, labelIndex, classes, files["train.bin"].Name);
        var test = CifarBinary.Parse(files["test.bin"].Data, 2, labelIndex, classes, files["test.bin"].Name);
        return ((train.Images.MoveToOuterDisposeScope(), train.Labels.MoveToOuterDisposeScope()),
                (test.Images.MoveToOuterDisposeScope(), test.Labels.MoveToOuterDisposeScope()));
    }
}
