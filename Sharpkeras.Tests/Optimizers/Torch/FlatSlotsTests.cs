using NUnit.Framework;
using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Optimizers.Torch;

/// <summary>How <see cref="FlatSlots"/> lays parameters out in windows, and how gradients reach its flat buffer.</summary>
public class FlatSlotsTests
{
    private static Parameter[] Parameters(params long[][] shapes) =>
        shapes.Select(s => new Parameter(torch.zeros(s))).ToArray();

    [Test]
    public void SmallModelsArePackedIntoSerialWindowsOfWholeParametersAndPieces()
    {
        // 10 | 40,000 = 32,767 + 7,233 | 5 | 30,000 | 7 elements, windows of at most 32,767:
        // [10] [32,767] [7,233 + 5] [30,000 + 7].
        var ps = Parameters([10], [200, 200], [5], [300, 100], [7]);
        using var slots = new FlatSlots(ps, 2);
        var windows = slots.Windows.Select(w => w.Pieces.Select(p => (p.Index, p.Offset, p.Length)).ToArray()).ToArray();
        Assert.That(windows, Is.EqualTo(new[]
        {
            new[] { (0, 0L, 10L) },
            new[] { (1, 0L, 32_767L) },
            new[] { (1, 32_767L, 7_233L), (2, 0L, 5L) },
            new[] { (3, 0L, 30_000L), (4, 0L, 7L) },
        }));
        Assert.That(slots.Windows.Select(w => w.Grad.shape[0]), Is.EqualTo(new[] { 10L, 32_767L, 7_238L, 30_007L }));
        Assert.That(slots.Windows.SelectMany(w => w.Pieces).Where(p => p.Whole).Select(p => p.Index), Is.EqualTo(new[] { 0, 2, 3, 4 }));
        foreach (var p in ps) p.Dispose();
    }

    [Test]
    public void LargerModelsUseWindowsOfMillionsOfElements()
    {
        var ps = Parameters([600, 500], [300]);
        using var slots = new FlatSlots(ps, 2);
        Assert.That(slots.Windows, Has.Count.EqualTo(1));
        Assert.That(slots.Windows[0].Grad.shape[0], Is.EqualTo(300_300));
        foreach (var p in ps) p.Dispose();
    }

    [Test]
    public void AttachedGradientsAreViewsOfTheFlatBufferAndBackwardFillsThem()
    {
        var ps = Parameters([3], [2, 2]);
        using var slots = new FlatSlots(ps, 2);
        slots.AttachGradients();
        using (var scope = torch.NewDisposeScope())
        {
            (ps[0] * torch.tensor(new[] { 1f, 2f, 3f })).sum().backward();
            (ps[1] * torch.tensor(new[] { 4f, 5f, 6f, 7f }).reshape(2, 2)).sum().backward();
        }
        Assert.That(slots.GatherGradients(), Is.True);
        var window = slots.Windows.Single();
        Assert.That(window.Grad.data<float>().ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 7f }));
        // A gradient replaced by hand is copied in.
        ps[0].grad = torch.tensor(new[] { -1f, -2f, -3f });
        Assert.That(slots.GatherGradients(), Is.True);
        Assert.That(window.Grad.data<float>().ToArray(), Is.EqualTo(new[] { -1f, -2f, -3f, 4f, 5f, 6f, 7f }));
        // No gradient at all: the caller must go parameter by parameter.
        ps[1].grad = null;
        Assert.That(slots.GatherGradients(), Is.False);
        foreach (var p in ps) p.Dispose();
    }

    [Test]
    public void GradientsLeftOnAnotherInstancesBufferAreCopiedIn()
    {
        // An optimizer rebuilt for the same weights: their .grad still views the old buffer, at the same offsets.
        var ps = Parameters([3]);
        using var old = new FlatSlots(ps, 2);
        using var rebuilt = new FlatSlots(ps, 2);
        old.AttachGradients();
        using (var scope = torch.NewDisposeScope()) (ps[0] * torch.tensor(new[] { 1f, 2f, 3f })).sum().backward();
        Assert.That(rebuilt.GatherGradients(), Is.True);
        Assert.That(rebuilt.Windows.Single().Grad.data<float>().ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
        ps[0].Dispose();
    }
}
