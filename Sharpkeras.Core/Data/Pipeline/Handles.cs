using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// Ownership helpers for the pipeline. Tensors kept across <c>MoveNext</c> calls (shuffle buffers, caches,
/// prefetch queues) are taken out of any DisposeScope so that the consumer's per-step scope cannot free them;
/// when they are handed out, the consumer gets a fresh handle (<c>detach()</c>: same storage, no copy) created
/// in its current scope, exactly as if the tensor had been made during its <c>MoveNext</c>.
/// </summary>
internal static class Handles
{
    /// <summary>Takes the tensors out of their DisposeScope (for keeping across steps).</summary>
    public static Tensor[] Hold(Tensor[] item)
    {
        foreach (var t in item) t.DetachFromDisposeScope();
        return item;
    }

    /// <summary>New handles on the same storage, registered in the caller's current DisposeScope.</summary>
    public static Tensor[] Fresh(Tensor[] held)
    {
        var r = new Tensor[held.Length];
        for (int i = 0; i < held.Length; i++) r[i] = held[i].detach();
        return r;
    }

    /// <summary>Fresh handles for the consumer; the held handles are released.</summary>
    public static Tensor[] Release(Tensor[] held)
    {
        var r = Fresh(held);
        DisposeAll(held);
        return r;
    }

    /// <summary>Disposes every tensor of an element.</summary>
    public static void DisposeAll(Tensor[] item)
    {
        foreach (var t in item) t?.Dispose();
    }

    /// <summary>Checks that an element is a non-empty array of live tensors.</summary>
    public static Tensor[] Check(Tensor[]? item, string where)
    {
        if (item is null || item.Length == 0)
            throw new InvalidOperationException($"{where} produced an empty element (null or no tensors); every element must hold at least one tensor.");
        for (int i = 0; i < item.Length; i++)
            if (item[i] is null)
                throw new InvalidOperationException($"{where} produced an element whose tensor {i} is null.");
        return item;
    }
}
