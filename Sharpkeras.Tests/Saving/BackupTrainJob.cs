using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Saving;

/// <summary>
/// The training job used by the kill-and-resume test: a seeded model with dropout (global and seeded
/// generators), shuffled batches and Adam, trained with BackupAndRestore every 2 batches.
/// Environment: CHILD_DIR (work folder), CHILD_MARKER_AT (after this many batches write "marker" and slow down).
/// Writes final.safetensors and epochs.txt (epochs run by this process) when training completes.
/// </summary>
internal static class BackupTrainJob
{
    public const int Epochs = 5;
    public const int Samples = 48;
    public const int BatchSize = 4; // 12 batches per epoch

    public static Sequential BuildModel()
    {
        return new Sequential(
            new Dense(16, activation: "relu", inputShape: [6]),
            new Dropout(0.3),
            new Dense(16, activation: "relu"),
            new Dropout(0.25, seed: 7),
            new Dense(3, activation: "softmax"));
    }

    public static (Tensor x, Tensor y) Data()
    {
        using var g = new torch.Generator(99, torch.CPU);
        return (torch.randn([Samples, 6], generator: g), torch.randint(0, 3, [Samples], generator: g, dtype: ScalarType.Int64));
    }

    private sealed class Marker(string path, int at) : Callback
    {
        private int _seen;

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
        {
            _seen++;
            if (at > 0 && _seen == at) File.WriteAllText(path, "reached");
            if (at > 0 && _seen >= at) Thread.Sleep(40); // leave the parent time to kill us mid-training
        }
    }

    public static int Run()
    {
        var dir = Environment.GetEnvironmentVariable("CHILD_DIR")!;
        int markerAt = int.Parse(Environment.GetEnvironmentVariable("CHILD_MARKER_AT") ?? "0");
        Keras.Config.Device = torch.CPU;
        Keras.ClearSession();
        Keras.Config.Seed(42);
        var (x, y) = Data();
        var model = BuildModel();
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.01), loss: "sparse_categorical_crossentropy");
        var history = model.Fit(x, y, batchSize: BatchSize, epochs: Epochs, verbose: 0, shuffle: true,
            callbacks: [new BackupAndRestore(Path.Combine(dir, "backup"), saveFreq: 2), new Marker(Path.Combine(dir, "marker"), markerAt)]);
        model.SaveWeights(Path.Combine(dir, "final.safetensors"));
        File.WriteAllText(Path.Combine(dir, "epochs.txt"), history.Epoch.Count.ToString());
        return 0;
    }
}
