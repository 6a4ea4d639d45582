using NUnit.Framework;

namespace Sharpkeras.Tests.Distribution;

/// <summary>
/// Real two-process runs over MPICH on loopback: the job (tests/Sharpkeras.MpiJob) trains a small classifier with
/// global batch 64 on 203 samples (batches 64, 64, 64, 11 — the last splits 6/5) for 3 epochs with validation, Adam,
/// ModelCheckpoint, CSVLogger, TensorBoard, BackupAndRestore and EarlyStopping, then predicts 203 samples (batches
/// 64, 64, 64, 11) and 65 (64, 1). Rank 1 starts from another seed, so only the broadcast of the chief's weights and
/// data order can make the runs agree. Result keys starting with "local " are per-rank by design.
/// </summary>
[TestFixture]
[NonParallelizable]
public class DataParallelMpiTests
{
    private string _dir = "";
    private Dictionary<string, double[]> _plain = null!, _rank0 = null!, _rank1 = null!;

    [OneTimeSetUp]
    public void RunJobs()
    {
        MpiJobRunner.RequireMpiexec();
        _dir = Path.Combine(Path.GetTempPath(), "sharpkeras-mpi-" + Guid.NewGuid().ToString("N"));
        var (rc1, out1) = MpiJobRunner.Run(0, "train", Path.Combine(_dir, "plain"), "--plain");
        Assert.That(rc1, Is.EqualTo(0), "single-process run failed:\n" + out1);
        var (rc2, out2) = MpiJobRunner.Run(2, "train", Path.Combine(_dir, "two"));
        Assert.That(rc2, Is.EqualTo(0), "two-rank run failed:\n" + out2);
        _plain = MpiJobRunner.ReadResult(Path.Combine(_dir, "plain", "result-rank0.txt"));
        _rank0 = MpiJobRunner.ReadResult(Path.Combine(_dir, "two", "result-rank0.txt"));
        _rank1 = MpiJobRunner.ReadResult(Path.Combine(_dir, "two", "result-rank1.txt"));
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_dir.Length > 0 && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void BothRanksEndWithBitIdenticalWeightsAndHistory()
    {
        Assert.That(_rank0.ContainsKey("world 2"), Is.True, "the job did not run on 2 ranks");
        AssertRanksIdentical(_rank0, _rank1, "");
    }

    private static void AssertRanksIdentical(Dictionary<string, double[]> r0, Dictionary<string, double[]> r1, string what)
    {
        Assert.That(r1.Keys, Is.EquivalentTo(r0.Keys));
        foreach (var (k, v) in r0.Where(kv => !kv.Key.StartsWith("local ", StringComparison.Ordinal)))
            Assert.That(r1[k], Is.EqualTo(v), $"{what}{k} differs between rank 0 and rank 1");
    }

    private static void AssertClose(Dictionary<string, double[]> expected, Dictionary<string, double[]> actual, IEnumerable<string> keys, double tolerance, string what)
    {
        foreach (var k in keys)
        {
            Assert.That(actual.ContainsKey(k), Is.True, $"{what}{k} missing");
            Assert.That(actual[k], Has.Length.EqualTo(expected[k].Length), $"{what}{k}");
            for (int i = 0; i < expected[k].Length; i++)
                Assert.That(actual[k][i], Is.EqualTo(expected[k][i]).Within(tolerance), $"{what}{k}[{i}]");
        }
    }

    private static IEnumerable<string> Compared(Dictionary<string, double[]> d) =>
        d.Keys.Where(k => !k.StartsWith("world", StringComparison.Ordinal) && !k.StartsWith("local ", StringComparison.Ordinal));

    [Test]
    public void PredictShardsEveryBatchAndGivesEveryRankAllRowsInOrder()
    {
        // 1 process predicts all 203 + 65 rows; on 2 ranks each predicts its slices: rank 0 32·3 + 6 and 32 + 1,
        // rank 1 32·3 + 5 and 32 + 0 (the 1-sample batch leaves it nothing), and both return all rows in order.
        Assert.That(_plain["local predict_rows"], Is.EqualTo(new double[] { 268 }));
        Assert.That(_rank0["local predict_rows"], Is.EqualTo(new double[] { 135 }));
        Assert.That(_rank1["local predict_rows"], Is.EqualTo(new double[] { 133 }));
        Assert.That(_rank0["predict all"], Has.Length.EqualTo(203 * 3));
        Assert.That(_rank0["predict small"], Has.Length.EqualTo(65 * 3));
        AssertClose(_plain, _rank0, ["predict all", "predict small"], 1e-5, "");
        Assert.That(_rank1["predict all"], Is.EqualTo(_rank0["predict all"]));
        Assert.That(_rank1["predict small"], Is.EqualTo(_rank0["predict small"]));
    }

    [Test]
    public void TwoRanksWithGlobalBatch64MatchOneProcessWithBatch64()
    {
        var weights = _plain.Keys.Where(k => k.StartsWith("weight ", StringComparison.Ordinal)).ToList();
        Assert.That(weights, Has.Count.EqualTo(4)); // two Dense layers: kernel and bias each
        foreach (var k in weights)
        {
            Assert.That(_rank0[k], Has.Length.EqualTo(_plain[k].Length), k);
            for (int i = 0; i < _plain[k].Length; i++)
                Assert.That(_rank0[k][i], Is.EqualTo(_plain[k][i]).Within(1e-5), $"{k}[{i}]");
        }
        // The weights moved: 12 Adam steps at 1e-3 change every weight by far more than the tolerance.
        Assert.That(_plain["weight 1"].Select(Math.Abs).Max(), Is.GreaterThan(1e-3));
    }

    [Test]
    public void HistoryAndEvaluateMatchOneProcess()
    {
        var keys = _plain.Keys.Where(k => k.StartsWith("history ", StringComparison.Ordinal) || k.StartsWith("evaluate ", StringComparison.Ordinal)).ToList();
        Assert.That(keys, Is.SupersetOf(new[] { "history loss", "history accuracy", "history val_loss", "history val_accuracy", "evaluate loss" }));
        Assert.That(_plain["history loss"], Has.Length.EqualTo(3));
        foreach (var k in keys)
        {
            Assert.That(_rank0.ContainsKey(k), Is.True, k);
            Assert.That(_rank0[k], Has.Length.EqualTo(_plain[k].Length), k);
            for (int i = 0; i < _plain[k].Length; i++)
                Assert.That(_rank0[k][i], Is.EqualTo(_plain[k][i]).Within(1e-5), $"{k}[{i}]");
        }
    }

    [Test]
    public void FitOnADatasetMatchesOneProcessWithAutoShardingAndWithDatasetShard()
    {
        // The same seeded, shuffled Dataset: batched by 64 in one process; on 2 ranks either batched by 64 and split
        // by DataParallel, or Shard(2, rank) per rank batched by 32 with autoShardDataset: false.
        var (rc, output) = MpiJobRunner.Run(0, "train", Path.Combine(_dir, "ds-plain"), "--plain", "--data", "dataset");
        Assert.That(rc, Is.EqualTo(0), output);
        var plain = MpiJobRunner.ReadResult(Path.Combine(_dir, "ds-plain", "result-rank0.txt"));
        foreach (var data in new[] { "dataset", "shard" })
        {
            var dir = Path.Combine(_dir, "ds-" + data);
            (rc, output) = MpiJobRunner.Run(2, "train", dir, "--data", data);
            Assert.That(rc, Is.EqualTo(0), output);
            var r0 = MpiJobRunner.ReadResult(Path.Combine(dir, "result-rank0.txt"));
            var r1 = MpiJobRunner.ReadResult(Path.Combine(dir, "result-rank1.txt"));
            AssertRanksIdentical(r0, r1, data + ": ");
            AssertClose(plain, r0, Compared(plain), 1e-5, data + ": ");
        }
    }

    [Test]
    public void SynchronizedBatchNormalizationOnTwoRanksMatchesOneProcessWithTheGlobalBatch()
    {
        // Dense → BatchNormalization(synchronized: true) → tanh → Dense on global batches of 64, 64, 37, 11 and 1
        // samples (splits 32/32, 19/18, 6/5, 1/0): statistics, their gradients and the moving averages of the
        // global batch, also when a rank has no samples. Without a distribution the same model is the plain layer.
        var (rc, output) = MpiJobRunner.Run(0, "train", Path.Combine(_dir, "bn-plain"), "--plain", "--model", "bn", "--data", "batches");
        Assert.That(rc, Is.EqualTo(0), output);
        var plain = MpiJobRunner.ReadResult(Path.Combine(_dir, "bn-plain", "result-rank0.txt"));
        (rc, output) = MpiJobRunner.Run(2, "train", Path.Combine(_dir, "bn-sync"), "--model", "bn", "--data", "batches");
        Assert.That(rc, Is.EqualTo(0), output);
        var r0 = MpiJobRunner.ReadResult(Path.Combine(_dir, "bn-sync", "result-rank0.txt"));
        var r1 = MpiJobRunner.ReadResult(Path.Combine(_dir, "bn-sync", "result-rank1.txt"));
        AssertRanksIdentical(r0, r1, "synchronized: ");
        Assert.That(plain.Keys.Count(k => k.StartsWith("weight ", StringComparison.Ordinal)), Is.EqualTo(7)); // kernel, BN ×4, kernel, bias
        AssertClose(plain, r0, Compared(plain), 1e-5, "synchronized: ");

        // Per-rank statistics (Keras's default) are a different computation: the data must tell them apart.
        (rc, output) = MpiJobRunner.Run(2, "train", Path.Combine(_dir, "bn-local"), "--model", "bn-local", "--data", "batches");
        Assert.That(rc, Is.EqualTo(0), output);
        var local = MpiJobRunner.ReadResult(Path.Combine(_dir, "bn-local", "result-rank0.txt"));
        double movingMeanGap = plain["weight 3"].Zip(local["weight 3"], (a, b) => Math.Abs(a - b)).Max();
        Assert.That(movingMeanGap, Is.GreaterThan(1e-3), "per-rank statistics should differ from the global batch's");
    }

    [Test]
    public void StopTrainingOnOneRankMidEpochStopsEveryRankAfterTheSameStep()
    {
        // A callback on rank 1 only stops training after batch 1 of epoch 1: both ranks stop after that step, as the
        // single process with the same callback does (2 optimizer steps, 1 epoch in History), with no timeout.
        var (rc, output) = MpiJobRunner.Run(0, "train", Path.Combine(_dir, "stop-plain"), "--plain", "--stop-rank", "1");
        Assert.That(rc, Is.EqualTo(0), output);
        var plain = MpiJobRunner.ReadResult(Path.Combine(_dir, "stop-plain", "result-rank0.txt"));
        (rc, output) = MpiJobRunner.Run(2, "train", Path.Combine(_dir, "stop"), "--stop-rank", "1");
        Assert.That(rc, Is.EqualTo(0), output);
        var r0 = MpiJobRunner.ReadResult(Path.Combine(_dir, "stop", "result-rank0.txt"));
        var r1 = MpiJobRunner.ReadResult(Path.Combine(_dir, "stop", "result-rank1.txt"));
        Assert.That(plain["iterations count"], Is.EqualTo(new double[] { 2 }));
        Assert.That(r0["iterations count"], Is.EqualTo(new double[] { 2 }));
        Assert.That(r0["history loss"], Has.Length.EqualTo(1));
        AssertRanksIdentical(r0, r1, "stop: ");
        AssertClose(plain, r0, Compared(plain), 1e-5, "stop: ");
    }

    [Test]
    public void OnlyRankZeroWritesCallbackFiles()
    {
        var chief = Path.Combine(_dir, "two", "callbacks-rank0");
        Assert.That(File.Exists(Path.Combine(chief, "ckpt.skeras")), Is.True, "ModelCheckpoint did not write on rank 0");
        Assert.That(File.ReadAllLines(Path.Combine(chief, "log.csv")), Has.Length.EqualTo(4), "CSVLogger: header + 3 epochs");
        Assert.That(Directory.GetFiles(Path.Combine(chief, "tb"), "events.out.tfevents.*", SearchOption.AllDirectories), Is.Not.Empty);
        Assert.That(Directory.GetFiles(Path.Combine(chief, "backup")), Is.Not.Empty, "BackupAndRestore did not write on rank 0");
        Assert.That(Directory.Exists(Path.Combine(_dir, "two", "callbacks-rank1")), Is.False, "rank 1 wrote callback files");
    }

    [Test]
    public void KilledRankEndsTheJobWithAnError()
    {
        var (rc, output) = MpiJobRunner.Run(2, "die", Path.Combine(_dir, "die"));
        Assert.That(rc, Is.Not.EqualTo(0), output);
        Assert.That(output, Does.Contain("rank 1 kills itself"));
        // MPICH's launcher names the process that died and ends the others.
        Assert.That(output, Does.Contain("BAD TERMINATION").Or.Contain("Killed").Or.Contain("stopped responding"), output);
        Assert.That(File.Exists(Path.Combine(_dir, "die", "result-rank0.txt")), Is.False, "rank 0 finished training without rank 1");
    }

    [Test]
    public void RestartedJobResumesFromTheChiefsBackupAndEndsLikeTheUninterruptedRun()
    {
        var dir = Path.Combine(_dir, "resume");
        var (rc, output) = MpiJobRunner.Run(2, "die", dir); // rank 1 dies in epoch 2; the chief backed up epoch 1
        Assert.That(rc, Is.Not.EqualTo(0), output);
        Assert.That(Directory.GetFiles(Path.Combine(dir, "callbacks-rank0", "backup")), Is.Not.Empty);
        (rc, output) = MpiJobRunner.Run(2, "train", dir); // the same job restarted
        Assert.That(rc, Is.EqualTo(0), output);
        var resumed = MpiJobRunner.ReadResult(Path.Combine(dir, "result-rank0.txt"));
        var resumed1 = MpiJobRunner.ReadResult(Path.Combine(dir, "result-rank1.txt"));
        Assert.That(resumed["history loss"], Has.Length.EqualTo(2), "the restarted Fit ran epochs 2 and 3 only");
        Assert.That(resumed["history loss"], Is.EqualTo(_rank0["history loss"].Skip(1).ToArray()));
        foreach (var k in _rank0.Keys.Where(k => k.StartsWith("weight ", StringComparison.Ordinal)))
        {
            Assert.That(resumed[k], Is.EqualTo(_rank0[k]), $"{k}: the resumed run ends elsewhere than the uninterrupted one");
            Assert.That(resumed1[k], Is.EqualTo(_rank0[k]), $"{k} on rank 1");
        }
    }

    [Test]
    public void HungRankMakesTheOthersFailWithATimeoutError()
    {
        var (rc, output) = MpiJobRunner.Run(2, "hang", Path.Combine(_dir, "hang"));
        Assert.That(rc, Is.Not.EqualTo(0), output);
        Assert.That(output, Does.Contain("rank 0 of 2 waited").And.Contain("a rank has died or stopped responding"), output);
        Assert.That(File.Exists(Path.Combine(_dir, "hang", "result-rank0.txt")), Is.False);
    }
}
