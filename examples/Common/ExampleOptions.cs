using System.Globalization;
using TorchSharp;

namespace Sharpkeras.Examples;

/// <summary>Command-line options shared by the examples: --epochs, --batch-size, --data-dir, --device, --synthetic, --samples, --out.</summary>
public sealed class ExampleOptions
{
    /// <summary>Epochs to train.</summary>
    public int Epochs { get; set; }

    /// <summary>Batch size.</summary>
    public int BatchSize { get; set; }

    /// <summary>Folder holding the dataset files (null: the cache, downloading if needed).</summary>
    public string? DataDir { get; set; }

    /// <summary>"auto" (CUDA when available), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Use generated data of the dataset's shapes instead of the real dataset.</summary>
    public bool Synthetic { get; set; }

    /// <summary>Use only this many training samples (smoke tests, quick runs).</summary>
    public int? Samples { get; set; }

    /// <summary>Where the model, the curve PNG and the history go.</summary>
    public string OutDir { get; set; } = "out";

    /// <summary>Progress output verbosity (0, 1, 2).</summary>
    public int Verbose { get; set; } = 1;

    /// <summary>Only the quick parts (ClassicNets: skip the large networks).</summary>
    public bool Small { get; set; }

    /// <summary>Seed for reproducible runs.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Parses the arguments; throws ArgumentException naming a bad option.</summary>
    public static ExampleOptions Parse(string[] args, int defaultEpochs, int defaultBatchSize)
    {
        var o = new ExampleOptions { Epochs = defaultEpochs, BatchSize = defaultBatchSize };
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {a} needs a value.");
            int NextInt()
            {
                var s = Next();
                return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                    ? v : throw new ArgumentException($"Option {a} needs a positive integer; got '{s}'.");
            }
            switch (a)
            {
                case "--epochs": o.Epochs = NextInt(); break;
                case "--batch-size": o.BatchSize = NextInt(); break;
                case "--data-dir": o.DataDir = Next(); break;
                case "--device": o.Device = Next(); break;
                case "--synthetic": o.Synthetic = true; break;
                case "--small": o.Small = true; break;
                case "--samples": o.Samples = NextInt(); break;
                case "--out": o.OutDir = Next(); break;
                case "--verbose": o.Verbose = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": o.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "-h" or "--help":
                    throw new ArgumentException("Options: --epochs N --batch-size N --data-dir DIR --device auto|cpu|cuda[:N] --synthetic --small --samples N --out DIR --verbose 0|1|2 --seed N");
                default: throw new ArgumentException($"Unknown option '{a}'. Use --help for the list.");
            }
        }
        return o;
    }

    /// <summary>The torch device the option names.</summary>
    public torch.Device ResolveDevice() => Device switch
    {
        "auto" => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
        "cpu" => torch.CPU,
        "cuda" => torch.cuda.is_available() ? torch.CUDA : throw new ArgumentException("--device cuda: CUDA is not available on this machine (or the CPU-only TorchSharp backend is in use)."),
        _ when Device.StartsWith("cuda:", StringComparison.Ordinal) => torch.cuda.is_available() ? new torch.Device(Device)
            : throw new ArgumentException($"--device {Device}: CUDA is not available."),
        _ => throw new ArgumentException($"--device must be auto, cpu, cuda or cuda:N; got '{Device}'."),
    };
}
