using Sharpkeras.Data;
using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using Sharpkeras.Optimizers.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Examples.ImdbLstm;

/// <summary>
/// The seeds' IMDB sentiment classifier: Embedding(10,000, 64, maskZero) → LSTM(64) → Dense(1, sigmoid), RMSprop with
/// an exponential-decay schedule, binary cross-entropy, reviews cut/padded to 100 words (post), validationSplit 0.2.
/// </summary>
public static class ImdbLstmExample
{
    private const int NumWords = 10000;
    private const int MaxLen = 100;

    /// <summary>Runs the example; returns null when the dataset is missing offline (the message says what to do).</summary>
    public static ExampleResult? Run(string[] args)
    {
        var o = ExampleOptions.Parse(args, defaultEpochs: 5, defaultBatchSize: 64);
        Keras.Config.Device = o.ResolveDevice();
        Keras.Config.Seed(o.Seed);

        long[][] trainSeqs, testSeqs;
        Tensor yTrain, yTest;
        string data;
        if (o.Synthetic)
        {
            int n = o.Samples ?? 2000;
            var rng = new Random(o.Seed);
            long[][] Make(int count) => Enumerable.Range(0, count)
                .Select(_ => Enumerable.Range(0, rng.Next(20, 150)).Select(_ => (long)rng.Next(1, NumWords)).ToArray()).ToArray();
            trainSeqs = Make(n);
            testSeqs = Make(Math.Max(100, n / 5));
            yTrain = torch.randint(0, 2, [n], dtype: ScalarType.Int64);
            yTest = torch.randint(0, 2, [testSeqs.Length], dtype: ScalarType.Int64);
            data = $"synthetic IMDB-shaped data (random word ids and labels, {n:N0} train / {testSeqs.Length:N0} test)";
            Console.WriteLine($"Data: {data}: accuracy will stay near 50%.");
        }
        else
        {
            try
            {
                ((trainSeqs, yTrain), (testSeqs, yTest)) = Imdb.LoadData(numWords: NumWords, path: o.DataDir);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("IMDB is not available offline. Put aclImdb_v1.tar.gz (https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz) " +
                                        "into a folder and pass --data-dir FOLDER, or run with --synthetic to exercise the whole path on generated data.");
                return null;
            }
            if (o.Samples is int n && n < trainSeqs.Length) { trainSeqs = trainSeqs[..n]; yTrain = yTrain[..n]; }
            data = $"IMDB (real reviews, {trainSeqs.Length:N0} train / {testSeqs.Length:N0} test)";
            Console.WriteLine($"Data: {data}.");
        }
        var x = Sequence.PadSequences(trainSeqs, maxLen: MaxLen, padding: "post", truncating: "post");
        var xt = Sequence.PadSequences(testSeqs, maxLen: MaxLen, padding: "post", truncating: "post");
        var y = yTrain.to(ScalarType.Float32).unsqueeze(-1);
        var yt = yTest.to(ScalarType.Float32).unsqueeze(-1);

        var model = new Sequential(
        [
            new Embedding(NumWords, 64, maskZero: true),
            new LSTM(64),
            new Dense(1, activation: "sigmoid"),
        ], name: "imdb_lstm");
        long steps = (long)Math.Ceiling(x.shape[0] * 0.8 / o.BatchSize);
        var schedule = new ExponentialDecay(initialLearningRate: 1e-3, decaySteps: steps, decayRate: 0.9);
        model.Compile(optimizer: new Optimizers.RMSprop(learningRate: schedule), loss: "binary_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose, validationSplit: 0.2);
        if (o.Verbose > 0) model.Summary();
        var scores = model.Evaluate(xt, yt, verbose: 0);
        return ExampleOutputs.Finish(model, history, scores, o, "imdb_lstm", data);
    }
}
