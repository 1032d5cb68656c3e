if(SAMED2D_SANITIZE)
  # vptr is left out: oneTBB 2021.8's flow graph downcasts finished tasks inside its own headers
  # (_flow_graph_impl.h), which UBSan reports on every run.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr)
endif()
