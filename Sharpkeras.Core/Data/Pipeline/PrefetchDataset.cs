using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// <c>Dataset.Prefetch</c>: a background producer thread runs the input pipeline and fills a bounded queue.
/// The producer's exception is rethrown to the consumer in order; disposing the consumer's enumerator (end of
/// pass, <c>break</c>, or an exception in the training step) cancels the producer, waits for it, and frees
/// the elements it had prepared.
/// </summary>
internal sealed class PrefetchDataset : Dataset
{
    private readonly Dataset _input;
    private readonly int _bufferSize;

    public PrefetchDataset(Dataset input, int bufferSize)
    {
        _input = input;
        _bufferSize = bufferSize;
    }

    internal override long RawCardinality => _input.RawCardinality;

    internal override bool Batched => _input.Batched;

    internal override IEnumerable<Tensor[]> Elements()
    {
        var queue = new BlockingCollection<Tensor[]>(new ConcurrentQueue<Tensor[]>(), _bufferSize);
        var cts = new CancellationTokenSource();
        ExceptionDispatchInfo? error = null;
        var producer = new Thread(() =>
        {
            try
            {
                using var noGrad = torch.no_grad();
                using var e = _input.Elements().GetEnumerator();
                while (!cts.IsCancellationRequested)
                {
                    Tensor[] item;
                    using (var scope = torch.NewDisposeScope())
                    {
                        if (!e.MoveNext()) break;
                        item = Handles.Check(e.Current, "The prefetched dataset");
                        foreach (var t in item)
                            if (scope.Contains(t)) t.DetachFromDisposeScope();
                    }
                    try
                    {
                        queue.Add(item, cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        Handles.DisposeAll(item);
                        break;
                    }
                }
            }
            catch (Exception ex)
            {
                error = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                queue.CompleteAdding();
            }
        })
        {
            IsBackground = true,
            Name = "Sharpkeras Dataset.Prefetch",
        };
        return Consume(queue, cts, producer, () => error);
    }

    private static IEnumerable<Tensor[]> Consume(BlockingCollection<Tensor[]> queue, CancellationTokenSource cts, Thread producer,
        Func<ExceptionDispatchInfo?> error)
    {
        producer.Start();
        try
        {
            foreach (var held in queue.GetConsumingEnumerable())
                yield return Handles.Release(held);
            error()?.Throw();
        }
        finally
        {
            cts.Cancel();
            producer.Join();
            while (queue.TryTake(out var left)) Handles.DisposeAll(left);
            queue.Dispose();
            cts.Dispose();
        }
    }
}
