// placeholder so the library has a source until exploration lands
