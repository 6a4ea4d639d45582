namespace Sharpkeras.Callbacks;

/// <summary>
/// Stops training when a batch loss is NaN or infinite (Keras's <c>keras.callbacks.TerminateOnNaN</c>). Reading the
/// batch loss makes every step wait for the device; that is the price of this check.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="raiseError">Throw an <see cref="InvalidOperationException"/> instead of stopping quietly.</param>
    public TerminateOnNaN(bool raiseError = false) => RaiseError = raiseError;

    /// <summary>Whether an exception is thrown.</summary>
    public bool RaiseError { get; }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (logs == null || !logs.TryGetValue("loss", out double loss)) return;
        if (double.IsNaN(loss) || double.IsInfinity(loss))
        {
            if (RaiseError)
                throw new InvalidOperationException(
                    $"NaN or Inf loss encountered at batch {batch}. Loss value: {PythonFormat.Float(loss)}. Terminating training immediately.");
            Console.WriteLine($"Batch {batch}: Invalid loss, terminating training");
            if (Model != null) Model.StopTraining = true;
        }
    }
}
