using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using Sharpkeras.Callbacks;
using TorchSharp;
using static Sharpkeras.Tests.Callbacks.CallbackTestUtil;

namespace Sharpkeras.Tests.Callbacks;

/// <summary>
/// Reads the event files back independently of the writer: TFRecord framing (u64 length, masked CRC-32C of the length,
/// data, masked CRC-32C of the data) with a CRC-32C written here, and the Event/Summary protobufs with a minimal decoder.
/// </summary>
public class TensorBoardTests
{
    // ------------------------------------------------------------------ CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(i =>
    {
        uint c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    [Test]
    public void Crc32CMatchesTheStandardCheckValue()
    {
        Assert.That(Crc32C(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xE3069283u)); // RFC 3720 check value
    }

    // ------------------------------------------------------------------ TFRecord + protobuf reading

    private static List<byte[]> ReadRecords(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var records = new List<byte[]>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            Assert.That(bytes.Length - pos, Is.GreaterThanOrEqualTo(12), "truncated record header");
            var lengthBytes = bytes.AsSpan(pos, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8, 4));
            Assert.That(lengthCrc, Is.EqualTo(Masked(lengthBytes)), $"length CRC of record at {pos}");
            var data = bytes.AsSpan(pos + 12, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)length, 4));
            Assert.That(dataCrc, Is.EqualTo(Masked(data)), $"data CRC of record at {pos}");
            records.Add(data.ToArray());
            pos += 12 + (int)length + 4;
        }
        return records;
    }

    /// <summary>Protobuf fields of a message: (field number, wire type, varint/fixed value, length-delimited bytes).</summary>
    private static List<(int field, int wire, ulong number, byte[]? bytes)> Fields(byte[] msg)
    {
        var result = new List<(int, int, ulong, byte[]?)>();
        int pos = 0;
        ulong Varint()
        {
            ulong v = 0; int shift = 0;
            while (true)
            {
                byte b = msg[pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
                shift += 7;
            }
        }
        while (pos < msg.Length)
        {
            ulong key = Varint();
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: result.Add((field, wire, Varint(), null)); break;
                case 1: result.Add((field, wire, BinaryPrimitives.ReadUInt64LittleEndian(msg.AsSpan(pos, 8)), null)); pos += 8; break;
                case 2:
                    int len = (int)Varint();
                    result.Add((field, wire, 0, msg.AsSpan(pos, len).ToArray()));
                    pos += len;
                    break;
                case 5: result.Add((field, wire, BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(pos, 4)), null)); pos += 4; break;
                default: Assert.Fail($"unexpected wire type {wire}"); break;
            }
        }
        return result;
    }

    private sealed record Value(string Tag, long Step, float? Scalar, bool Histogram);

    /// <summary>Event: 1 wall_time (double), 2 step, 3 file_version, 5 summary; Summary: 1 value; Value: 1 tag, 2 simple_value, 5 histo.</summary>
    private static (string? fileVersion, List<Value> values) ReadEvents(string dir)
    {
        var files = Directory.GetFiles(dir, "events.out.tfevents.*");
        Assert.That(files, Has.Length.EqualTo(1), $"one event file in {dir}");
        string? version = null;
        var values = new List<Value>();
        foreach (var record in ReadRecords(files[0]))
        {
            long step = 0;
            byte[]? summary = null;
            foreach (var f in Fields(record))
            {
                if (f.field == 2) step = (long)f.number;
                if (f.field == 3) version = Encoding.UTF8.GetString(f.bytes!);
                if (f.field == 5) summary = f.bytes;
            }
            if (summary == null) continue;
            foreach (var v in Fields(summary).Where(f => f.field == 1))
            {
                string tag = ""; float? scalar = null; bool histo = false;
                foreach (var f in Fields(v.bytes!))
                {
                    if (f.field == 1) tag = Encoding.UTF8.GetString(f.bytes!);
                    if (f.field == 2 && f.wire == 5) scalar = BitConverter.UInt32BitsToSingle((uint)f.number);
                    if (f.field == 5) histo = true;
                }
                values.Add(new Value(tag, step, scalar, histo));
            }
        }
        return (version, values);
    }

    // ------------------------------------------------------------------ tests

    [Test]
    public void WritesRealEventFilesLikeKeras()
    {
        var logDir = TempDir();
        var model = SmallModel(metrics: ["mae"]);
        var x = torch.rand(8, 2); var y = torch.rand(8, 1);
        // 8 samples / batch 2 = 4 steps per epoch; batch scalars every 2 steps; histograms every epoch
        var history = model.Fit(x, y, batchSize: 2, epochs: 2, verbose: 0, shuffle: false, validationData: (x, y),
            callbacks: [new TensorBoard(logDir, histogramFreq: 1, updateFreq: 2)]);

        var (trainVersion, train) = ReadEvents(Path.Combine(logDir, "train"));
        var (valVersion, val) = ReadEvents(Path.Combine(logDir, "validation"));
        Assert.That(trainVersion, Is.EqualTo("brain.Event:2"));
        Assert.That(valVersion, Is.EqualTo("brain.Event:2"));

        float[] Scalars(List<Value> vs, string tag) => vs.Where(v => v.Tag == tag).OrderBy(v => v.Step).Select(v => v.Scalar!.Value).ToArray();
        long[] Steps(List<Value> vs, string tag) => vs.Where(v => v.Tag == tag).Select(v => v.Step).OrderBy(s => s).ToArray();

        Assert.That(Steps(train, "epoch_loss"), Is.EqualTo(new long[] { 0, 1 }));
        Assert.That(Scalars(train, "epoch_loss"), Is.EqualTo(history["loss"].Select(v => (float)v).ToArray()));
        Assert.That(Scalars(train, "epoch_mae"), Is.EqualTo(history["mae"].Select(v => (float)v).ToArray()));
        Assert.That(Scalars(train, "epoch_learning_rate"), Is.EqualTo(new[] { 0.1f, 0.1f }));
        Assert.That(train.Any(v => v.Tag.StartsWith("epoch_val_", StringComparison.Ordinal)), Is.False);
        // validation scalars without the "val_" prefix, in their own folder
        Assert.That(Scalars(val, "epoch_loss"), Is.EqualTo(history["val_loss"].Select(v => (float)v).ToArray()));
        Assert.That(Scalars(val, "epoch_mae"), Is.EqualTo(history["val_mae"].Select(v => (float)v).ToArray()));
        Assert.That(Steps(val, "evaluation_loss_vs_iterations"), Is.EqualTo(new long[] { 4, 8 }));
        // batch-level scalars every 2 global batches (counted from 1)
        Assert.That(Steps(train, "batch_loss"), Is.EqualTo(new long[] { 2, 4, 6, 8 }));
        Assert.That(Steps(train, "batch_mae"), Is.EqualTo(new long[] { 2, 4, 6, 8 }));
        // weight histograms per epoch, tagged by the weight's path
        foreach (var tag in new[] { "dense/kernel/histogram", "dense/bias/histogram" })
        {
            var h = train.Where(v => v.Tag == tag).ToList();
            Assert.That(h.Select(v => v.Step), Is.EqualTo(new long[] { 0, 1 }), tag);
            Assert.That(h.All(v => v.Histogram), tag);
        }
    }

    [Test]
    public void EpochUpdateFreqWritesNoBatchScalarsOrHistograms()
    {
        var logDir = TempDir();
        var model = SmallModel();
        model.Fit(torch.rand(4, 2), torch.rand(4, 1), batchSize: 2, epochs: 3, verbose: 0, callbacks: [new TensorBoard(logDir)]);
        var (_, train) = ReadEvents(Path.Combine(logDir, "train"));
        Assert.That(train.Select(v => v.Tag).Distinct().Order(), Is.EqualTo(new[] { "epoch_learning_rate", "epoch_loss" }));
        Assert.That(train.Where(v => v.Tag == "epoch_loss").Select(v => v.Step), Is.EqualTo(new long[] { 0, 1, 2 }));
        Assert.That(Directory.Exists(Path.Combine(logDir, "validation")), Is.False);
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new TensorBoard(updateFreq: 0))!.ParamName, Is.EqualTo("updateFreq"));
        Assert.That(Assert.Throws<ArgumentException>(() => new TensorBoard(updateFreq: "step"))!.ParamName, Is.EqualTo("updateFreq"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBoard(histogramFreq: -1))!.ParamName, Is.EqualTo("histogramFreq"));
        Assert.That(new TensorBoard(updateFreq: "batch").UpdateFreq, Is.EqualTo(1));
        Assert.That(new TensorBoard().UpdateFreq, Is.EqualTo("epoch"));
    }
}
