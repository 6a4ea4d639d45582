using Sharpkeras.Examples.ImdbLstm;

try
{
    return ImdbLstmExample.Run(args) is null ? 3 : 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
