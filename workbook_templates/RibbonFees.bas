Attribute VB_Name = "RibbonFees"
Option Explicit

' The "Fees" ribbon: every button (customUI.xml) calls this one procedure, which
' hands the button's id to Python; xlfees.excel.ribbon.dispatch maps ids to actions.
Sub FeesRibbon(control As IRibbonControl)
    RunPython "import xlfees.excel.ribbon as r; r.dispatch('" & control.Id & "')"
End Sub
