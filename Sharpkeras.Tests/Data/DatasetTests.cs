using NUnit.Framework;
using Sharpkeras.Data;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Data;

public class DatasetTests
{
    private static long[] Ints(Tensor t) => t.to(ScalarType.Int64).data<long>().ToArray();

    private static List<long> FirstColumn(IEnumerable<Tensor[]> ds) => ds.SelectMany(b => Ints(b[0].reshape(-1))).ToList();

    [Test]
    public void FromTensorSlicesBatchesInOrderWithShortLastBatch()
    {
        var x = torch.arange(10, dtype: ScalarType.Int64).reshape(10, 1);
        var y = torch.arange(10, dtype: ScalarType.Int64) * 10;
        var ds = Dataset.FromTensorSlices(x, y).Batch(4);
        var batches = ds.ToList();
        // ceil(10 / 4) = 3 batches of 4, 4, 2.
        Assert.That(ds.Cardinality, Is.EqualTo(3));
        Assert.That(batches.Select(b => b[0].shape[0]), Is.EqualTo(new long[] { 4, 4, 2 }));
        Assert.That(batches[0][0].shape, Is.EqualTo(new long[] { 4, 1 }));
        Assert.That(Ints(batches[2][0]), Is.EqualTo(new long[] { 8, 9 }));
        Assert.That(Ints(batches[1][1]), Is.EqualTo(new long[] { 40, 50, 60, 70 }));
        // dropRemainder: floor(10 / 4) = 2.
        var dropped = Dataset.FromTensorSlices(x, y).Batch(4, dropRemainder: true);
        Assert.That(dropped.Cardinality, Is.EqualTo(2));
        Assert.That(dropped.Count(), Is.EqualTo(2));
    }

    [Test]
    public void UnbatchedElementsHaveNoBatchAxis()
    {
        var x = torch.arange(6, dtype: ScalarType.Float32).reshape(3, 2);
        var elems = Dataset.FromTensorSlices(x).ToList();
        Assert.That(elems.Count, Is.EqualTo(3));
        Assert.That(elems[1].Length, Is.EqualTo(1));
        Assert.That(elems[1][0].shape, Is.EqualTo(new long[] { 2 }));
        Assert.That(elems[1][0].data<float>().ToArray(), Is.EqualTo(new float[] { 2, 3 }));
    }

    [Test]
    public void SeveralInputsAndSampleWeights()
    {
        var a = torch.arange(4, dtype: ScalarType.Float32);
        var b = torch.arange(4, dtype: ScalarType.Float32) + 100;
        var y = torch.arange(4, dtype: ScalarType.Int64);
        var batch = Dataset.FromTensorSlices(a, b, y, torch.ones(4)).Batch(4).Single();
        Assert.That(batch.Length, Is.EqualTo(4));
        Assert.That(batch[1].data<float>().ToArray(), Is.EqualTo(new float[] { 100, 101, 102, 103 }));
        var multi = Dataset.FromTensorSlices([a, b], y).Batch(4).Single();
        Assert.That(multi.Length, Is.EqualTo(3));
        Assert.That(multi[2].data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 2, 3 }));
        Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices([a, torch.zeros(3)], y));
        var withWeights = Dataset.FromTensorSlices(a, y, sampleWeight: torch.full(new long[] { 4 }, 0.5f)).Batch(2).First();
        Assert.That(withWeights.Length, Is.EqualTo(3));
        Assert.That(withWeights[2].data<float>().ToArray(), Is.EqualTo(new float[] { 0.5f, 0.5f }));
    }

    [Test]
    public void InvalidArgumentsThrowNamingTheArgument()
    {
        var x = torch.zeros(5, 2);
        var ex = Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(x, torch.zeros(4)));
        Assert.That(ex!.Message, Does.Contain("5").And.Contain("4"));
        Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(torch.tensor(3f)));
        Assert.Throws<ArgumentException>(() => Dataset.FromTensorSlices(x, null, torch.ones(5)));
        var ds = Dataset.FromTensorSlices(x);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Batch(0))!.ParamName, Is.EqualTo("batchSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Shuffle(0))!.ParamName, Is.EqualTo("bufferSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Prefetch(0))!.ParamName, Is.EqualTo("bufferSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => ds.Take(-2))!.ParamName, Is.EqualTo("count"));
        Assert.Throws<ArgumentNullException>(() => ds.Map(null!));
        Assert.Throws<InvalidOperationException>(() =>
        {
            var (_, _) = ds;
        });
    }

    [Test]
    public void ShuffleIsASeededPermutationThatChangesEachEpoch()
    {
        var x = torch.arange(50, dtype: ScalarType.Int64);
        var ds = Dataset.FromTensorSlices(x).Shuffle(100, seed: 7).Batch(10);
        var epoch1 = FirstColumn(ds);
        var epoch2 = FirstColumn(ds);
        Assert.That(epoch1.OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 50).Select(v => (long)v)), "each epoch is a permutation");
        Assert.That(epoch2.OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 50).Select(v => (long)v)));
        Assert.That(epoch1, Is.Not.EqualTo(Enumerable.Range(0, 50).Select(v => (long)v)), "shuffled");
        Assert.That(epoch2, Is.Not.EqualTo(epoch1), "reshuffled each iteration");

        // Same seed: same sequence of epoch orders.
        var again = Dataset.FromTensorSlices(x).Shuffle(100, seed: 7).Batch(10);
        Assert.That(FirstColumn(again), Is.EqualTo(epoch1));
        Assert.That(FirstColumn(again), Is.EqualTo(epoch2));
        // Another seed: another order.
        Assert.That(FirstColumn(Dataset.FromTensorSlices(x).Shuffle(100, seed: 8).Batch(10)), Is.Not.EqualTo(epoch1));
        // reshuffleEachIteration false: the same order every epoch.
        var fixedOrder = Dataset.FromTensorSlices(x).Shuffle(100, seed: 7, reshuffleEachIteration: false).Batch(10);
        Assert.That(FirstColumn(fixedOrder), Is.EqualTo(FirstColumn(fixedOrder)));
    }

    [Test]
    public void ShuffleBufferBoundsHowFarElementsMove()
    {
        var x = torch.arange(40, dtype: ScalarType.Int64);
        // Buffer 1 cannot reorder anything.
        Assert.That(FirstColumn(Dataset.FromTensorSlices(x).Shuffle(1, seed: 3).Batch(40)), Is.EqualTo(Enumerable.Range(0, 40).Select(v => (long)v)));
        // With a buffer of 4, the element emitted at position i was read among the first i + 4 inputs.
        var order = FirstColumn(Dataset.FromTensorSlices(x).Shuffle(4, seed: 3).Batch(8));
        for (int i = 0; i < order.Count; i++) Assert.That(order[i], Is.LessThanOrEqualTo(i + 3));
        Assert.That(order.OrderBy(v => v), Is.EqualTo(Enumerable.Range(0, 40).Select(v => (long)v)));
    }

    [Test]
    public void ShuffleWithoutSeedFollowsKerasConfigSeed()
    {
        var x = torch.arange(30, dtype: ScalarType.Int64);
        Keras.Config.Seed(11);
        var a = FirstColumn(Dataset.FromTensorSlices(x).Shuffle(30).Batch(30));
        Keras.Config.Seed(11);
        var b = FirstColumn(Dataset.FromTensorSlices(x).Shuffle(30).Batch(30));
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void TakeSkipRepeat()
    {
        var x = torch.arange(10, dtype: ScalarType.Int64);
        var ds = Dataset.FromTensorSlices(x).Skip(2).Take(5);
        Assert.That(ds.Cardinality, Is.EqualTo(5));
        Assert.That(FirstColumn(ds.Batch(3)), Is.EqualTo(new long[] { 2, 3, 4, 5, 6 }));
        var rep = Dataset.FromTensorSlices(x).Take(3).Repeat(2);
        Assert.That(rep.Cardinality, Is.EqualTo(6));
        Assert.That(FirstColumn(rep.Batch(4)), Is.EqualTo(new long[] { 0, 1, 2, 0, 1, 2 }));
        var forever = Dataset.FromTensorSlices(x).Repeat();
        Assert.That(forever.Cardinality, Is.Null);
        Assert.That(forever.IsInfinite, Is.True);
        Assert.That(forever.Take(25).Cardinality, Is.EqualTo(25));
        Assert.That(FirstColumn(forever.Take(25).Batch(25)).Last(), Is.EqualTo(4)); // 25th element: index 24 % 10
        // Batch-level take/skip count batches.
        var batches = Dataset.FromTensorSlices(x).Batch(3).Skip(1).Take(2);
        Assert.That(batches.Cardinality, Is.EqualTo(2));
        Assert.That(FirstColumn(batches), Is.EqualTo(new long[] { 3, 4, 5, 6, 7, 8 }));
        // Repeating a shuffled dataset reshuffles each repetition.
        var shuffledTwice = FirstColumn(Dataset.FromTensorSlices(x).Shuffle(10, seed: 1).Repeat(2).Batch(20));
        Assert.That(shuffledTwice.Take(10), Is.Not.EqualTo(shuffledTwice.Skip(10)));
    }

    [Test]
    public void MapRunsOnWholeBatches()
    {
        var x = torch.arange(6, dtype: ScalarType.Float32).reshape(6, 1);
        var y = torch.arange(6, dtype: ScalarType.Int64);
        var sizes = new List<long>();
        var ds = Dataset.FromTensorSlices(x, y).Batch(4).Map(b =>
        {
            sizes.Add(b[0].shape[0]);
            return [b[0] * 2, b[1]];
        });
        var batches = ds.ToList();
        Assert.That(sizes, Is.EqualTo(new long[] { 4, 2 }), "one call per batch");
        Assert.That(batches[1][0].data<float>().ToArray(), Is.EqualTo(new float[] { 8, 10 }));
        Assert.That(Ints(batches[1][1]), Is.EqualTo(new long[] { 4, 5 }));
    }

    [Test]
    public void MapBeforeBatchRunsPerSampleAndStacks()
    {
        var x = torch.arange(5, dtype: ScalarType.Float32);
        var ds = Dataset.FromTensorSlices(x).Map(e => [e[0] + 1, e[0] * 0]).Batch(2);
        var batches = ds.ToList();
        Assert.That(batches.Count, Is.EqualTo(3));
        Assert.That(batches[0][0].data<float>().ToArray(), Is.EqualTo(new float[] { 1, 2 }));
        Assert.That(batches[2][0].data<float>().ToArray(), Is.EqualTo(new float[] { 5 }));
        Assert.That(batches[0][1].shape, Is.EqualTo(new long[] { 2 }));
    }

    [Test]
    public void MapReturningACapturedConstantSurvivesConsumerDisposal()
    {
        var constant = torch.tensor(new float[] { 42f });
        var ds = Dataset.FromTensorSlices(torch.zeros(4)).Batch(2).Map(b => [b[0], constant]);
        for (int epoch = 0; epoch < 2; epoch++)
            foreach (var batch in ds)
            {
                Assert.That(batch[1].item<float>(), Is.EqualTo(42f));
                foreach (var t in batch) t.Dispose(); // the consumer owns what it gets
            }
        Assert.That(constant.item<float>(), Is.EqualTo(42f));
    }

    [Test]
    public void SourceTensorsMayBeDisposedByTheCaller()
    {
        var x = torch.arange(4, dtype: ScalarType.Float32);
        var ds = Dataset.FromTensorSlices(x).Batch(4);
        x.Dispose();
        Assert.That(ds.Single()[0].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 3 }));
    }

    [Test]
    public void CacheReplaysTheFirstCompletePass()
    {
        int calls = 0;
        var ds = Dataset.FromTensorSlices(torch.arange(6, dtype: ScalarType.Float32)).Batch(2)
            .Map(b =>
            {
                calls++;
                return [b[0] + 0.5f];
            })
            .Cache();
        // An abandoned pass caches nothing.
        foreach (var _ in ds) break;
        Assert.That(calls, Is.EqualTo(1));
        var first = ds.Select(b => b[0].data<float>().ToArray()).ToList();
        Assert.That(calls, Is.EqualTo(4));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var again = new List<float[]>();
            foreach (var b in ds)
            {
                again.Add(b[0].data<float>().ToArray());
                b[0].add_(100); // consumers may modify what they get
                b[0].Dispose();
            }
            Assert.That(again, Is.EqualTo(first));
        }
        Assert.That(calls, Is.EqualTo(4), "later passes come from the cache");
        Assert.That(first[2], Is.EqualTo(new[] { 4.5f, 5.5f }));
    }

    [Test]
    public void CacheOfShuffledSlicesFreezesTheOrder()
    {
        var ds = Dataset.FromTensorSlices(torch.arange(20, dtype: ScalarType.Int64)).Shuffle(20, seed: 5).Cache().Batch(5);
        var a = FirstColumn(ds);
        var b = FirstColumn(ds);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a, Is.Not.EqualTo(Enumerable.Range(0, 20).Select(v => (long)v)));
    }

    [Test]
    public void PrefetchYieldsTheSameBatches()
    {
        var x = torch.arange(23, dtype: ScalarType.Int64);
        var plain = FirstColumn(Dataset.FromTensorSlices(x).Shuffle(23, seed: 2, reshuffleEachIteration: false).Batch(5));
        var prefetched = Dataset.FromTensorSlices(x).Shuffle(23, seed: 2, reshuffleEachIteration: false).Batch(5).Prefetch(2);
        Assert.That(prefetched.Cardinality, Is.EqualTo(5));
        Assert.That(FirstColumn(prefetched), Is.EqualTo(plain));
        Assert.That(FirstColumn(prefetched), Is.EqualTo(plain), "a second pass works too");
    }

    [Test]
    public void PrefetchSurfacesTheProducerExceptionInOrder()
    {
        var ds = Dataset.FromTensorSlices(torch.arange(10, dtype: ScalarType.Float32)).Batch(2)
            .Map(b =>
            {
                if (b[0][0].item<float>() == 4f) throw new InvalidOperationException("bad batch at 4");
                return b;
            })
            .Prefetch(3);
        var seen = new List<float>();
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var b in ds) seen.Add(b[0][0].item<float>());
        });
        Assert.That(ex!.Message, Is.EqualTo("bad batch at 4"));
        Assert.That(seen, Is.EqualTo(new float[] { 0, 2 }), "the batches before the failure arrive first");
    }

    [Test]
    public void PrefetchProducerStopsWhenThePassIsAbandoned()
    {
        int produced = 0;
        var ds = Dataset.FromTensorSlices(torch.arange(1000, dtype: ScalarType.Float32)).Batch(1)
            .Map(b =>
            {
                Interlocked.Increment(ref produced);
                return b;
            })
            .Prefetch(2);
        using (var e = ds.GetEnumerator())
        {
            Assert.That(e.MoveNext(), Is.True);
            Thread.Sleep(100);
        }
        int atDispose = Volatile.Read(ref produced);
        // At most: 1 consumed + 2 queued + 1 in the producer's hands.
        Assert.That(atDispose, Is.LessThanOrEqualTo(4));
        Thread.Sleep(200);
        Assert.That(Volatile.Read(ref produced), Is.EqualTo(atDispose), "the producer thread has stopped");
    }

    [Test]
    public void NoTensorHandleLeaksWhenTheConsumerDisposesWhatItGets()
    {
        var x = torch.rand(new long[] { 40, 3 });
        var y = torch.arange(40, dtype: ScalarType.Int64);
        var constant = torch.ones(1);
        var ds = Dataset.FromTensorSlices(x, y).Shuffle(40, seed: 1).Batch(8)
            .Map(b => [b[0] * 2 + 1, b[1], constant])
            .Shuffle(3, seed: 2)   // a buffer of batches (tensors kept across steps)
            .Prefetch(2);
        void Epoch()
        {
            foreach (var batch in ds)
            {
                using var scope = torch.NewDisposeScope();
                foreach (var t in batch)
                    if (!scope.Contains(t)) scope.Attach(t); // what Fit does with a dataset that transfers ownership
                _ = (batch[0].sum() + batch[1].sum()).item<float>();
            }
        }
        Epoch(); // warm up lazily created handles
        // Finalize other tests' garbage first: TotalCount also drops when the GC finalizes undisposed tensors.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Tensor.TotalCount;
        for (int i = 0; i < 3; i++) Epoch();
        Assert.That(Tensor.TotalCount, Is.EqualTo(before), "every tensor the pipeline made was freed");
        // Abandoning a pass half-way frees what the shuffle buffer and the prefetch queue held.
        foreach (var batch in ds)
        {
            foreach (var t in batch) t.Dispose();
            break;
        }
        Assert.That(Tensor.TotalCount, Is.EqualTo(before));
    }

    [Test]
    public void FitOnAShuffledBatchedMappedPrefetchedDataset()
    {
        Keras.Config.Seed(3);
        // y = 1 when x0 + x1 > 1, else 0: learnable by a small Dense model.
        var x = torch.rand(new long[] { 256, 2 });
        var y = (x.sum(1) > 1).to(ScalarType.Int64);
        var ds = Dataset.FromTensorSlices(x, y).Shuffle(256, seed: 1).Batch(64)
            .Map(b => [b[0] * 2 - 1, b[1]]).Prefetch(2);
        var model = new Sequential(new Dense(16, activation: "relu", inputShape: [2]), new Dense(2, activation: "softmax"));
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.05), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(ds, epochs: 2, verbose: 0);
        Assert.That(history["loss"].Count, Is.EqualTo(2));
        Assert.That(history["loss"][1], Is.LessThan(history["loss"][0]));
        var more = model.Fit(ds, epochs: 10, verbose: 0);
        var scores = model.Evaluate(Dataset.FromTensorSlices(x * 2 - 1, y).Batch(64), verbose: 0);
        Assert.That(scores["accuracy"], Is.GreaterThan(0.9));
        Assert.That(more["loss"][^1], Is.LessThan(history["loss"][0]));
    }
}
